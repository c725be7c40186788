namespace Mien.Training;

/// <summary>
/// Hooks into training, as Keras callbacks: each gets the <see cref="TrainingContext"/> and may read the metrics,
/// change the optimizer or the network (freeze, unfreeze, learning rates), save files, or
/// <see cref="TrainingContext.RequestStop"/>. Keeping the best weights, early stopping, checkpoints and the
/// history files are callbacks too (<see cref="Trainer"/> adds them from the options); add your own with
/// <see cref="Trainer.AddCallback"/>. Every method is optional.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Before the first epoch (after a resume has restored the state).</summary>
    void OnTrainingStart(TrainingContext context) { }
    /// <summary>Before an epoch's first batch; <see cref="TrainingContext.Epoch"/> is the epoch about to run.</summary>
    void OnEpochStart(TrainingContext context) { }
    /// <summary>Every few batches, with the running loss, accuracy and speed.</summary>
    void OnBatchEnd(TrainingContext context, BatchProgress progress) { }

    /// <summary>After the epoch's validation; <see cref="TrainingContext.History"/> ends with this epoch.</summary>
    void OnEpochEnd(TrainingContext context) { }
    /// <summary>After the last epoch, or after a stop or cancellation.</summary>
    void OnTrainingEnd(TrainingContext context) { }
    /// <summary>A message for the user (resumed, initialised from, stopped early...).</summary>
    void OnMessage(string message) { }
}

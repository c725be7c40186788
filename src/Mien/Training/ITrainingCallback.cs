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
    void OnTrainingStart(TrainingContext context) { }
    void OnEpochStart(TrainingContext context) { }
    void OnBatchEnd(TrainingContext context, BatchProgress progress) { }

    /// <summary>After the epoch's validation; <see cref="TrainingContext.History"/> ends with this epoch.</summary>
    void OnEpochEnd(TrainingContext context) { }
    void OnTrainingEnd(TrainingContext context) { }
    void OnMessage(string message) { }
}

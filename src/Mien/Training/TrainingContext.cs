using Mien.Data;
using Mien.Evaluation;
using Mien.IO;
using Mien.Models;
using Mien.Splits;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Training;

/// <summary>
/// What a training callback sees and may change: the model and optimizer being trained, where the loop is, the
/// history so far, the best epoch, and a way to stop. One context lives for one <see cref="Trainer.Fit"/>.
/// </summary>
public sealed class TrainingContext
{
    private readonly List<EpochMetrics> _history = [];
    private readonly IReadOnlyList<ITrainingCallback> _callbacks;

    internal TrainingContext(TrainingOptions options, FaceDataset data, DataSplit split, EmotionModel model,
        TorchSharp.Modules.OptimizerHelper optimizer, LearningRateSchedule schedule, Generator generator, RunFolder? run,
        IReadOnlyList<ITrainingCallback> callbacks)
    {
        Options = options; Data = data; Split = split; Model = model; Optimizer = optimizer; Schedule = schedule;
        Generator = generator; Run = run; _callbacks = callbacks;
    }

    /// <summary>The training settings.</summary>
    public TrainingOptions Options { get; }
    /// <summary>The dataset being trained on.</summary>
    public FaceDataset Data { get; }
    /// <summary>Which images train and which validate.</summary>
    public DataSplit Split { get; }

    /// <summary>The model being trained; its <see cref="EmotionModel.Network"/> holds the current weights.</summary>
    public EmotionModel Model { get; }
    /// <summary>The network being trained (the model's).</summary>
    public nn.Module<Tensor, Tensor> Network => Model.Network;
    /// <summary>The optimizer (its parameter groups carry the learning rates).</summary>
    public TorchSharp.Modules.OptimizerHelper Optimizer { get; }
    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>The generator that shuffles and augments (checkpointed, so a resumed run draws the same batches).</summary>
    public Generator Generator { get; }

    /// <summary>The run folder, or null when the run keeps nothing on disk.</summary>
    public RunFolder? Run { get; }

    /// <summary>Epochs the run is set to.</summary>
    public int Epochs => Options.Epochs;

    /// <summary>The current epoch, 1-based (during and at the end of it); 0 before the first.</summary>
    public int Epoch { get; internal set; }
    /// <summary>Training images.</summary>
    public int TrainCount => Split.Train.Length;
    /// <summary>Validation images.</summary>
    public int ValidationCount => Split.Validation.Length;

    /// <summary>Every finished epoch's figures.</summary>
    public IReadOnlyList<EpochMetrics> History => _history;
    internal void Record(EpochMetrics metrics) => _history.Add(metrics);
    internal void RestoreHistory(IEnumerable<EpochMetrics> history) { _history.Clear(); _history.AddRange(history); }

    /// <summary>After a resume, the checkpoint's copy of the best epoch's model (null: none, or an older checkpoint).</summary>
    internal string? ResumedBestModel { get; set; }

    /// <summary>The last finished epoch's validation scores (with that epoch's weights).</summary>
    public ClassificationReport? LastValidation { get; internal set; }

    /// <summary>The best epoch so far (1-based, 0 = none yet) by <see cref="TrainingOptions.Monitor"/>.</summary>
    public int BestEpoch { get; set; }
    /// <summary>The best epoch's <see cref="TrainingOptions.Monitor"/>ed validation score (-1 before the first).</summary>
    public double BestScore { get; set; } = -1;
    /// <summary>Old name of <see cref="BestScore"/>, from when only accuracy was monitored.</summary>
    [Obsolete("Use BestScore: it holds the monitored score, which is accuracy only by default.")]
    public double BestAccuracy { get => BestScore; set => BestScore = value; }

    /// <summary>0 when the result is one epoch's weights; else how many epochs' weights were averaged into it (<see cref="WeightAveraging"/>).</summary>
    public int AveragedEpochs { get; set; }

    /// <summary>True at the end of an epoch that improved on every earlier one.</summary>
    public bool IsBestEpoch { get; set; }

    /// <summary>Epochs since the best one.</summary>
    public int EpochsWithoutImprovement => BestEpoch == 0 ? Epoch : Epoch - BestEpoch;

    /// <summary>True when the run's cancellation token ended it mid-epoch (set before <see cref="ITrainingCallback.OnTrainingEnd"/>): callbacks should end it quickly.</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>True once a callback asked to stop.</summary>
    public bool StopRequested => StopReason is not null;
    /// <summary>Why training is stopping, or null.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Ends training after the current epoch (Keras' <c>model.stop_training = True</c>); the reason is shown.</summary>
    public void RequestStop(string reason) => StopReason ??= reason;

    /// <summary>Shows a message through every callback that displays (the CLI's progress, a log...).</summary>
    public void Say(string message) { foreach (var c in _callbacks) c.OnMessage(message); }
}

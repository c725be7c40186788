using Mien.Evaluation;
using Mien.Models;

namespace Mien.Training;

/// <summary>What <see cref="Trainer.Fit"/> returns: the best model (by validation accuracy) and how it got there.</summary>
public sealed record TrainingResult(
    EmotionModel Model,
    IReadOnlyList<EpochMetrics> History,
    int BestEpoch,
    ClassificationReport Validation,
    TimeSpan Elapsed,
    double TrainImagesPerSecond,
    bool Cancelled)
{
    /// <summary>
    /// Validation scores of the last epoch trained, with that epoch's weights. Cross-validation reports these: picking
    /// the best epoch on a fold's own test side would leak it into the score.
    /// </summary>
    public ClassificationReport? LastEpoch { get; init; }

    /// <summary>The epochs the run was asked for; a cancelled run trained fewer (the last in <see cref="History"/>).</summary>
    public int PlannedEpochs { get; init; }

    /// <summary>0 when <see cref="Model"/> holds the best epoch's weights; else the number of last epochs whose weights were averaged into it (<see cref="TrainingOptions.AveragedEpochs"/>).</summary>
    public int AveragedEpochs { get; init; }

    /// <summary>The number of the last epoch trained (0 before the first), counting the epochs of a resumed run's first part.</summary>
    public int EpochsTrained => History.Count == 0 ? 0 : History[^1].Epoch;
}

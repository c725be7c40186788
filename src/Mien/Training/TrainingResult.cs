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
    bool Cancelled);

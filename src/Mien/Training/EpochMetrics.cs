namespace Mien.Training;

/// <summary>One epoch's figures, as written to history.csv / history.json.</summary>
public sealed record EpochMetrics(
    int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy,
    double LearningRate, double Seconds, double ImagesPerSecond);

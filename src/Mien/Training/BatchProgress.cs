namespace Mien.Training;

/// <summary>Live progress inside an epoch.</summary>
public sealed record BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy, double ImagesPerSecond);

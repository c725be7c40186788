using Mien.Training;

namespace Mien.Cli.Commands;

/// <summary>
/// Live training progress: a redrawn bar with loss, accuracy and images/s on a terminal; one line per epoch
/// when the output is a file or pipe (logs stay readable).
/// </summary>
internal sealed class ConsoleProgress(bool quiet, string prefix = "") : ITrainingCallback
{
    private readonly bool _live = !Console.IsOutputRedirected;

    public void OnTrainingStart(int epochs, int trainCount, int validationCount)
    {
        if (!quiet) Console.WriteLine($"{prefix}training on {trainCount} images, validating on {validationCount}, {epochs} epochs");
    }

    public void OnBatchEnd(BatchProgress p)
    {
        if (quiet || !_live) return;
        int width = 24, filled = (int)Math.Round(width * (double)p.Batch / p.Batches);
        Console.Write($"\r{prefix}epoch {p.Epoch,3}/{p.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] " +
                      $"loss {p.Loss:F4} acc {p.Accuracy:P1} {p.ImagesPerSecond,6:F0} img/s   ");
    }

    public void OnEpochEnd(EpochMetrics m, bool isBest)
    {
        if (quiet) return;
        if (_live) Console.Write('\r');
        Console.WriteLine($"{prefix}epoch {m.Epoch,3}  train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P1}  val loss {m.ValidationLoss:F4} acc {m.ValidationAccuracy:P1}" +
                          $"  lr {m.LearningRate:G3}  {m.Seconds:F0}s {m.ImagesPerSecond:F0} img/s{(isBest ? "  *best" : "")}      ");
    }

    public void OnMessage(string message) { if (!quiet) Console.WriteLine(prefix + message); }
}

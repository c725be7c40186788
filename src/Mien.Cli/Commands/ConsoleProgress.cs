using Mien.Training;

namespace Mien.Cli.Commands;

/// <summary>
/// Live training progress: a redrawn bar with loss, accuracy, images/s and time left on a terminal; one line per
/// epoch when the output is a file or pipe (logs stay readable).
/// </summary>
internal sealed class ConsoleProgress(bool quiet, string prefix = "") : ITrainingCallback
{
    private readonly bool _live = !Console.IsOutputRedirected;
    private readonly System.Diagnostics.Stopwatch _clock = new();
    private int _firstEpoch;

    public void OnTrainingStart(TrainingContext c)
    {
        _clock.Restart();
        _firstEpoch = c.Epoch;
        if (!quiet) Console.WriteLine($"{prefix}training on {c.TrainCount} images, validating on {c.ValidationCount}, {c.Epochs} epochs");
    }

    public void OnBatchEnd(TrainingContext c, BatchProgress p)
    {
        if (quiet || !_live) return;
        int width = 24, filled = (int)Math.Round(width * (double)p.Batch / p.Batches);
        Console.Write($"\r{prefix}epoch {p.Epoch,3}/{p.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] " +
                      $"loss {p.Loss:F4} acc {p.Accuracy:P1} {p.ImagesPerSecond,6:F0} img/s  {Left(c, (double)p.Batch / p.Batches)} left   ");
    }

    public void OnEpochEnd(TrainingContext c)
    {
        if (quiet) return;
        var m = c.History[^1];
        if (_live) Console.Write('\r');
        Console.WriteLine($"{prefix}epoch {m.Epoch,3}  train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P1}  val loss {m.ValidationLoss:F4} acc {m.ValidationAccuracy:P1}" +
                          (c.Options.Monitor == "balanced-accuracy" && c.LastValidation is { } v ? $" balanced {v.BalancedAccuracy:P1}" : "") +
                          $"  lr {m.LearningRate:G3}  {m.Seconds:F0}s {m.ImagesPerSecond:F0} img/s{(c.IsBestEpoch ? "  *best" : "")}  {Left(c, 1)} left      ");
    }

    public void OnMessage(string message) { if (!quiet) Console.WriteLine(prefix + message); }

    // Time left at the pace of the epochs run so far in this process.
    private string Left(TrainingContext c, double epochFraction)
    {
        double done = c.Epoch - 1 - _firstEpoch + epochFraction;
        if (done <= 0) return "?";
        var left = TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / done * Math.Max(0, c.Epochs - (c.Epoch - 1 + epochFraction)));
        return left.TotalHours >= 1 ? $"{(int)left.TotalHours}h{left.Minutes:D2}m" : $"{left.Minutes}m{left.Seconds:D2}s";
    }
}

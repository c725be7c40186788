using Mien.Evaluation;
using Mien.IO;
using Mien.Splits;
using Mien.Training;

namespace Mien.Experiments;

/// <summary>
/// A finished training run: the split, the training result (its model is the kept epoch, saved as the run's best
/// model), the held-out test scores when the split has a test side, and where the report went.
/// </summary>
public sealed record TrainingRunResult(RunFolder Run, DataSplit Split, TrainingResult Training, ClassificationReport? Test)
{
    /// <summary>The path of report.html, or null when it could not be written (see <see cref="ReportError"/>).</summary>
    public string? ReportPath { get; init; }
    /// <summary>Why report.html could not be written, or null.</summary>
    public string? ReportError { get; init; }

    /// <summary>The metrics.json document.</summary>
    public object ToSerializable()
    {
        var doc = new Dictionary<string, object?>
        {
            ["validation"] = Training.Validation.ToSerializable(), ["best_epoch"] = Training.BestEpoch,
            ["minutes"] = Training.Elapsed.TotalMinutes, ["images_per_second"] = Training.TrainImagesPerSecond,
            // Readers must be able to tell a cancelled run's scores from a finished one's.
            ["complete"] = !Training.Cancelled, ["epochs_trained"] = Training.EpochsTrained, ["epochs_planned"] = Training.PlannedEpochs,
        };
        if (Test is not null) doc["test"] = Test.ToSerializable();
        return doc;
    }
}

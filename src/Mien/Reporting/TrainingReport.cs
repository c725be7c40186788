using Mien.Data;
using Mien.Evaluation;
using Mien.Models;
using Mien.Splits;
using Mien.Training;
using static Mien.Reporting.ReportParts;

namespace Mien.Reporting;

/// <summary>
/// The report of one training run: PNG charts in <c>plots/</c> (loss, accuracy, learning rate, confusion matrices,
/// per-class precision/recall, reliability diagram, most confident validation mistakes) and one self-contained <c>report.html</c>
/// with them, the run's settings, the data per split and the timings.
/// </summary>
public static class TrainingReport
{
    /// <summary>The report's file name in a run folder.</summary>
    public const string FileName = "report.html";
    /// <summary>The folder of the report's PNGs.</summary>
    public const string PlotsFolder = "plots";

    /// <summary>Writes the report into <paramref name="runDirectory"/> and returns the path of report.html.</summary>
    /// <param name="test">The held-out test scores, when the split has a test side.</param>
    public static string Write(string runDirectory, TrainingResult result, FaceDataset data, DataSplit split, ClassificationReport? test = null)
    {
        Directory.CreateDirectory(runDirectory);
        var figs = new FigureSet(Path.Combine(runDirectory, PlotsFolder));
        var model = result.Model;
        var spec = model.Metadata.Spec;
        var summary = ModelBuilder.Summarize(spec, model.ClassNames.Count);
        var val = result.Validation;
        var h = result.History;

        var html = new HtmlReport($"Mien training report{(result.Cancelled ? " (incomplete run)" : "")}: {spec.Name} on {Path.GetFileName(data.Origin)}");
        var cards = new List<(string, string)>
        {
            ("validation accuracy", Pct(val.Accuracy)), ("balanced accuracy", Pct(val.BalancedAccuracy)), ("macro-F1", F(val.MacroF1, "F3")),
            ("validation loss", F(val.Loss, "F3")), ("validation ECE", F(val.ExpectedCalibrationError, "F3")), ("kept epoch", $"{result.BestEpoch} of {h.Count}"),
        };
        if (test is not null) cards.Add(("held-out test accuracy", Pct(test.Accuracy)));
        cards.Add(("training time", Duration(result.Elapsed)));
        cards.Add(("training speed", $"{result.TrainImagesPerSecond:F0} images/s"));
        html.Cards(cards);
        if (result.Cancelled)
            html.Paragraph($"Incomplete run: cancelled after epoch {result.EpochsTrained} of {result.PlannedEpochs}. The figures cover the epochs that finished, " +
                           "there is no held-out test score, and 'mien train --resume' with the same --out continues the run.");

        if (h.Count > 0)
        {
            html.Heading("Learning curves", "Training figures come from augmented batches while the weights change; validation figures from the un-augmented validation side after each epoch.");
            figs.Add("loss", TrainingPlots.Loss(h, result.BestEpoch), "loss per epoch");
            figs.Add("accuracy", TrainingPlots.Accuracy(h, result.BestEpoch), "accuracy per epoch");
            figs.Add("learning-rate", TrainingPlots.LearningRate(h), "learning rate per epoch");
            figs.FlushTo(html);
        }

        var probs = Evaluator.PredictProbabilities(model, data, split.Validation);
        html.Heading("Validation results", $"The kept model (epoch {result.BestEpoch}) on the {split.Validation.Length} validation images. " +
                                           "Reliability: accuracy per confidence bin against the diagonal of honest probabilities; " +
                                           "mien calibrate fits a temperature that brings the bars to it.");
        figs.Add("confusion", TrainingPlots.Confusion(val, normalize: false), "confusion matrix, counts");
        figs.Add("confusion-normalized", TrainingPlots.Confusion(val, normalize: true), "confusion matrix, row-normalised");
        figs.Add("per-class", TrainingPlots.PerClass(val), "precision and recall per class");
        var bins = Calibration.Reliability(probs, Evaluator.ModelLabels(model, data, split.Validation));
        figs.Add("reliability", TrainingPlots.Reliability(bins, $"Validation reliability (ECE {Calibration.ExpectedCalibrationError(bins):F3})"), "reliability diagram, validation");
        figs.FlushTo(html);
        PerClassTable(html, val);

        var gallery = MistakeGallery.Render(data, split.Validation, probs, model.ClassNames);
        html.Heading("Most confident mistakes", "Validation faces the model got wrong with the highest confidence: true label (green) and prediction (red).");
        if (gallery is null) html.Paragraph("No mistakes on the validation side.");
        figs.Add("mistakes", gallery, "most confident validation mistakes");
        figs.FlushTo(html);

        if (test is not null)
        {
            html.Heading("Held-out test", $"The kept model on the {split.Test.Length} test images, never used for choosing the epoch.");
            figs.Add("confusion-test", TrainingPlots.Confusion(test, normalize: true, "Test confusion matrix (% of each true class)"), "test confusion matrix");
            figs.FlushTo(html);
            PerClassTable(html, test);
        }

        html.Heading("Data", $"{data.Origin} ({data.Format}), {data.Count} images of {data.Width}x{data.Height}. Split: {split.Description}.");
        var sides = new List<(string, IReadOnlyList<int>)> { ("train", split.Train), ("validation", split.Validation) };
        if (split.Test.Length > 0) sides.Add(("test", split.Test));
        ClassCountTable(html, data, sides);
        var leaked = split.LeakedSubjects(data);
        if (leaked.Count > 0) html.Paragraph($"Warning: {leaked.Count} subject(s) appear on more than one side, so validation scores are optimistic.");

        html.Heading("Model and settings", "The kept model, then the run's options.json as the trainer wrote it.");
        html.Table(["setting", "value"],
        [
            ["model", spec.Name], ["parameters", summary.Parameters.ToString("N0", Ci)], ["MFLOPs per face", (summary.Flops / 1e6).ToString("F1", Ci)],
            ["classes", string.Join(", ", model.ClassNames)], ["input", $"{model.InputSize}x{model.InputSize} grey"],
            .. model.Metadata.Training.Select(kv => (IReadOnlyList<string>)[kv.Key.Replace('_', ' '), kv.Value]),
        ]);
        if (ReadOptions(runDirectory) is { } options) html.Pre(options);

        html.Heading("Timings", $"{Duration(result.Elapsed)} in all (including validation after each epoch); training {result.TrainImagesPerSecond:F0} images/s; " +
                                $"{(h.Count == 0 ? 0 : h.Average(e => e.Seconds)):F1} s per epoch on average.");
        HistoryTable(html, h, result.BestEpoch);

        string path = Path.Combine(runDirectory, FileName);
        html.Write(path, $"Run folder {Path.GetFullPath(runDirectory)} · written {DateTime.Now:yyyy-MM-dd HH:mm}");
        return path;
    }
}

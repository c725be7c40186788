using Mien.Data;
using Mien.Evaluation;
using Mien.Splits;
using Mien.Training;
using static Mien.Reporting.ReportParts;

namespace Mien.Reporting;

/// <summary>
/// The report of a k-fold cross-validation: a per-fold table with mean ± standard deviation, fold scores and
/// learning curves, the confusion matrix summed over folds and per-class scores, as PNGs in <c>plots/</c> and
/// one self-contained <c>report.html</c>.
/// </summary>
public static class CrossValidationReport
{
    /// <summary>Writes the report into <paramref name="runDirectory"/> and returns the path of report.html.</summary>
    /// <param name="folds">Each fold's scores on its own test side, in fold order (parallel to <paramref name="splits"/>).</param>
    /// <param name="histories">Each fold's epoch history (may be empty lists when unknown).</param>
    /// <param name="foldTimes">Each fold's own time.</param>
    /// <param name="settings">The training settings every fold used (shown as JSON).</param>
    public static string Write(string runDirectory, string modelName, FaceDataset data, IReadOnlyList<DataSplit> splits,
        IReadOnlyList<ClassificationReport> folds, IReadOnlyList<IReadOnlyList<EpochMetrics>> histories, IReadOnlyList<TimeSpan> foldTimes,
        TimeSpan elapsed, object settings)
    {
        if (folds.Count == 0) throw new ArgumentException("No folds to report.");
        Directory.CreateDirectory(runDirectory);
        var figs = new FigureSet(Path.Combine(runDirectory, TrainingReport.PlotsFolder));
        var summed = ClassificationReport.Sum(folds);

        var html = new HtmlReport($"Mien cross-validation report: {modelName} on {Path.GetFileName(data.Origin)}");
        html.Cards(
        [
            ("folds", folds.Count.ToString(Ci)),
            ("accuracy, mean ± std", MeanStd(folds.Select(f => f.Accuracy).ToList(), Pct)),
            ("balanced accuracy", MeanStd(folds.Select(f => f.BalancedAccuracy).ToList(), Pct)),
            ("macro-F1", MeanStd(folds.Select(f => f.MacroF1).ToList(), v => v.ToString("F3", Ci))),
            ("pooled accuracy", Pct(summed.Accuracy)),
            ("total time", Duration(elapsed)),
        ]);
        // Split descriptions read "fold 1/k, stratified, ..."; the part after the fold number holds for every fold.
        string how = splits[0].Description, prefix = $"fold 1/{splits.Count}, ";
        if (how.StartsWith(prefix, StringComparison.Ordinal)) how = how[prefix.Length..];
        html.Paragraph($"Each fold trains from scratch and is scored, at its last epoch, on the images it never saw. Folds: {how}. " +
                       "The standard deviation is over folds (n − 1).");

        html.Heading("Folds");
        var rows = new List<IReadOnlyList<string>>();
        for (int f = 0; f < folds.Count; f++)
        {
            IReadOnlyList<EpochMetrics> hist = f < histories.Count ? histories[f] : [];
            var testSide = splits[f].Validation;
            rows.Add([(f + 1).ToString(Ci), testSide.Length.ToString(Ci),
                data.HasSubjects ? testSide.Select(i => data.Subjects[i]).OfType<string>().Distinct().Count().ToString(Ci) : "-",
                Pct(folds[f].Accuracy), Pct(folds[f].BalancedAccuracy), F(folds[f].MacroF1, "F3"), F(folds[f].Loss, "F3"),
                hist.Count.ToString(Ci), f < foldTimes.Count ? Duration(foldTimes[f]) : "-"]);
        }
        rows.Add(["mean ± std", "", "", MeanStd(folds.Select(f => f.Accuracy).ToList(), Pct), MeanStd(folds.Select(f => f.BalancedAccuracy).ToList(), Pct),
            MeanStd(folds.Select(f => f.MacroF1).ToList(), v => v.ToString("F3", Ci)), "", "", ""]);
        html.Table(["fold", "test images", "test subjects", "accuracy", "balanced acc.", "macro-F1", "loss", "epochs", "time"], rows);
        figs.Add("folds", TrainingPlots.Folds(folds), "accuracy and macro-F1 per fold");
        if (histories.Any(x => x.Count > 0)) figs.Add("fold-curves", TrainingPlots.FoldCurves(histories), "validation accuracy per epoch for every fold");
        figs.FlushTo(html);

        html.Heading("All folds together", $"Confusion matrix summed over the folds: every image counted once, on the fold that held it out ({summed.Count} images).");
        figs.Add("confusion", TrainingPlots.Confusion(summed, normalize: false, "Confusion matrix, summed over folds (counts)"), "summed confusion matrix, counts");
        figs.Add("confusion-normalized", TrainingPlots.Confusion(summed, normalize: true, "Summed over folds (% of each true class)"), "summed confusion matrix, row-normalised");
        figs.Add("per-class", TrainingPlots.PerClass(summed, "Precision and recall per class, all folds"), "precision and recall per class");
        figs.FlushTo(html);
        PerClassTable(html, summed);

        html.Heading("Data", $"{data.Origin} ({data.Format}), {data.Count} images of {data.Width}x{data.Height}. Images per class on each fold's test side:");
        ClassCountTable(html, data, splits.Select((s, f) => ($"fold {f + 1}", (IReadOnlyList<int>)s.Validation)).ToList());

        html.Heading("Settings", "Every fold trains with these settings (each in its own fold-NN folder).");
        html.Pre(IO.MienJson.Serialize(settings));

        string path = Path.Combine(runDirectory, TrainingReport.FileName);
        html.Write(path, $"Run folder {Path.GetFullPath(runDirectory)} · written {DateTime.Now:yyyy-MM-dd HH:mm}");
        return path;
    }
}

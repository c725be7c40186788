using System.Globalization;
using Mien.Data;
using Mien.Evaluation;
using Mien.Training;

namespace Mien.Reporting;

/// <summary>Pieces shared by the training and cross-validation reports.</summary>
internal static class ReportParts
{
    public static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Collects figures: each is saved as plots/NAME.png and kept for embedding in the HTML.</summary>
    internal sealed class FigureSet(string plotsDirectory)
    {
        public List<(byte[] Png, string Alt, string? Caption)> Items { get; } = [];
        public List<string> Files { get; } = [];

        public void Add(string name, byte[]? png, string alt, string? caption = null)
        {
            if (png is null) return;
            Directory.CreateDirectory(plotsDirectory);
            string path = Path.Combine(plotsDirectory, name + ".png");
            File.WriteAllBytes(path, png);
            Files.Add(path);
            Items.Add((png, alt, caption));
        }

        /// <summary>Moves the collected figures into the page and starts a new group.</summary>
        public void FlushTo(HtmlReport html)
        {
            if (Items.Count > 0) html.Figures(Items.ToList());
            Items.Clear();
        }
    }

    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:D2} min" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:F1} min" : $"{t.TotalSeconds:F1} s";

    public static string Pct(double v) => (100 * v).ToString("F1", Ci) + "%";

    public static string F(double v, string format = "F4") => double.IsFinite(v) ? v.ToString(format, Ci) : "-";

    public static string MeanStd(IReadOnlyList<double> values, Func<double, string> format)
    {
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(a => (a - mean) * (a - mean)) / Math.Max(1, values.Count - 1));
        return $"{format(mean)} ± {format(std)}";
    }

    /// <summary>Per-class precision / recall / F1 / support rows.</summary>
    public static void PerClassTable(HtmlReport html, ClassificationReport r)
    {
        html.Table(["class", "precision", "recall", "F1", "support"],
            r.PerClass.Select(m => (IReadOnlyList<string>)[m.ClassName, F(m.Precision, "F3"), F(m.Recall, "F3"), F(m.F1, "F3"), m.Support.ToString(Ci)]));
        var confused = r.MostConfused();
        if (confused.Count > 0)
            html.Paragraph("Most confused (true → predicted): " + string.Join(", ", confused.Select(c => $"{c.True} → {c.Predicted} ({c.Count})")));
    }

    /// <summary>Images per class on each named side of a split, with subject counts when subjects are known.</summary>
    public static void ClassCountTable(HtmlReport html, FaceDataset data, IReadOnlyList<(string Name, IReadOnlyList<int> Items)> sides)
    {
        var counts = sides.Select(s => data.ClassCounts(s.Items)).ToList();
        var rows = new List<IReadOnlyList<string>>();
        for (int c = 0; c < data.ClassNames.Count; c++)
            rows.Add([data.ClassNames[c], .. counts.Select(k => k[c].ToString(Ci)), counts.Sum(k => k[c]).ToString(Ci)]);
        rows.Add(["all", .. sides.Select(s => s.Items.Count.ToString(Ci)), sides.Sum(s => s.Items.Count).ToString(Ci)]);
        if (data.HasSubjects)
            rows.Add(["subjects", .. sides.Select(s => s.Items.Select(i => data.Subjects[i]).OfType<string>().Distinct().Count().ToString(Ci)),
                data.Subjects.OfType<string>().Distinct().Count().ToString(Ci)]);
        html.Table(["class", .. sides.Select(s => s.Name), "total"], rows);
    }

    /// <summary>The epoch-by-epoch figures as a table.</summary>
    public static void HistoryTable(HtmlReport html, IReadOnlyList<EpochMetrics> history, int bestEpoch)
    {
        html.Table(["epoch", "train loss", "train acc", "val loss", "val acc", "learning rate", "seconds", "images/s"],
            history.Select(h => (IReadOnlyList<string>)[h.Epoch.ToString(Ci) + (h.Epoch == bestEpoch ? " (kept)" : ""), F(h.TrainLoss), Pct(h.TrainAccuracy),
                F(h.ValidationLoss), Pct(h.ValidationAccuracy), h.LearningRate.ToString("G3", Ci), F(h.Seconds, "F1"), F(h.ImagesPerSecond, "F0")]));
    }

    /// <summary>The run's options.json (written by the trainer), pretty as it is, or null when absent.</summary>
    public static string? ReadOptions(string directory)
    {
        string path = Path.Combine(directory, "options.json");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }
}

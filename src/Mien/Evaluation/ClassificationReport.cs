using System.Globalization;
using System.Text;

namespace Mien.Evaluation;

/// <summary>
/// Accuracy, balanced accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix
/// (rows = true class, columns = predicted), computed from true and predicted labels.
/// </summary>
public sealed record ClassificationReport
{
    /// <summary>The classes, in the order of the confusion matrix.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }
    /// <summary>Confusion matrix: [true class, predicted class] counts.</summary>
    public required int[,] Confusion { get; init; }
    /// <summary>Precision, recall, F1 and support per class.</summary>
    public required IReadOnlyList<ClassMetrics> PerClass { get; init; }
    /// <summary>Number of items scored.</summary>
    public int Count { get; init; }
    /// <summary>Share of items predicted right.</summary>
    public double Accuracy { get; init; }
    /// <summary>Mean recall over the classes present (every class counts the same).</summary>
    public double BalancedAccuracy { get; init; }
    /// <summary>Mean F1 over the classes present.</summary>
    public double MacroF1 { get; init; }
    /// <summary>Mean cross-entropy of the true class (NaN when unknown).</summary>
    public double Loss { get; init; } = double.NaN;

    /// <summary>Expected calibration error of the probabilities (see <see cref="Calibration"/>); NaN when only labels were given.</summary>
    public double ExpectedCalibrationError { get; init; } = double.NaN;

    /// <summary>Scores predictions against the truth (class indices into <paramref name="classNames"/>).</summary>
    public static ClassificationReport From(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<string> classNames, double loss = double.NaN)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException("truth and predicted differ in length.");
        int k = classNames.Count;
        var cm = new int[k, k];
        for (int i = 0; i < truth.Count; i++) cm[truth[i], predicted[i]]++;
        var per = new List<ClassMetrics>();
        for (int c = 0; c < k; c++)
        {
            int tp = cm[c, c], support = 0, predictedAs = 0;
            for (int j = 0; j < k; j++) { support += cm[c, j]; predictedAs += cm[j, c]; }
            double p = predictedAs == 0 ? 0 : (double)tp / predictedAs, r = support == 0 ? 0 : (double)tp / support;
            per.Add(new ClassMetrics(classNames[c], p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), support));
        }
        int correct = Enumerable.Range(0, k).Sum(c => cm[c, c]);
        var present = per.Where(m => m.Support > 0).ToList();
        return new ClassificationReport
        {
            ClassNames = classNames, Confusion = cm, PerClass = per, Count = truth.Count, Loss = loss,
            Accuracy = truth.Count == 0 ? 0 : (double)correct / truth.Count,
            BalancedAccuracy = present.Count == 0 ? 0 : present.Average(m => m.Recall),
            MacroF1 = present.Count == 0 ? 0 : present.Average(m => m.F1),
        };
    }

    /// <summary>Adds confusion matrices (e.g. across cross-validation folds) and recomputes the metrics.</summary>
    public static ClassificationReport Sum(IReadOnlyList<ClassificationReport> reports)
    {
        var names = reports[0].ClassNames;
        var truth = new List<int>(); var pred = new List<int>();
        foreach (var r in reports)
            for (int i = 0; i < names.Count; i++)
                for (int j = 0; j < names.Count; j++)
                    for (int n = 0; n < r.Confusion[i, j]; n++) { truth.Add(i); pred.Add(j); }
        return From(truth, pred, names);
    }

    /// <summary>The off-diagonal cells with the most items: (true, predicted, count), largest first.</summary>
    public IReadOnlyList<(string True, string Predicted, int Count)> MostConfused(int top = 5)
    {
        var cells = new List<(string, string, int)>();
        for (int i = 0; i < ClassNames.Count; i++)
            for (int j = 0; j < ClassNames.Count; j++)
                if (i != j && Confusion[i, j] > 0) cells.Add((ClassNames[i], ClassNames[j], Confusion[i, j]));
        return cells.OrderByDescending(c => c.Item3).Take(top).ToList();
    }

    /// <summary>A plain-text rendering: summary, per-class table, confusion matrix, most-confused pairs.</summary>
    public string ToText()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Format(ci, "items {0}   accuracy {1:P2}   balanced accuracy {2:P2}   macro-F1 {3:F4}{4}{5}",
            Count, Accuracy, BalancedAccuracy, MacroF1, double.IsNaN(Loss) ? "" : string.Format(ci, "   loss {0:F4}", Loss),
            double.IsNaN(ExpectedCalibrationError) ? "" : string.Format(ci, "   ECE {0:F4}", ExpectedCalibrationError)));
        int w = Math.Max(9, ClassNames.Max(n => n.Length) + 1);
        sb.AppendLine();
        sb.AppendLine($"{"class".PadRight(w)} precision  recall     f1  support");
        foreach (var m in PerClass)
            sb.AppendLine(string.Format(ci, "{0}    {1,6:F3}  {2,6:F3} {3,6:F3}  {4,7}", m.ClassName.PadRight(w), m.Precision, m.Recall, m.F1, m.Support));
        sb.AppendLine();
        sb.AppendLine("confusion matrix (rows = true, columns = predicted)");
        int cw = Math.Max(6, ClassNames.Max(n => Math.Min(n.Length, 8)) + 1);
        sb.Append("".PadRight(w));
        foreach (var n in ClassNames) sb.Append((n.Length > 8 ? n[..8] : n).PadLeft(cw));
        sb.AppendLine();
        for (int i = 0; i < ClassNames.Count; i++)
        {
            sb.Append(ClassNames[i].PadRight(w));
            for (int j = 0; j < ClassNames.Count; j++) sb.Append(Confusion[i, j].ToString(ci).PadLeft(cw));
            sb.AppendLine();
        }
        var confused = MostConfused();
        if (confused.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("most confused: " + string.Join(", ", confused.Select(c => $"{c.True} → {c.Predicted} ({c.Count})")));
        }
        return sb.ToString();
    }

    /// <summary>A JSON-friendly view (the confusion matrix as nested arrays).</summary>
    public object ToSerializable() => new
    {
        count = Count, accuracy = Accuracy, balancedAccuracy = BalancedAccuracy, macroF1 = MacroF1,
        loss = double.IsNaN(Loss) ? (double?)null : Loss,
        ece = double.IsNaN(ExpectedCalibrationError) ? (double?)null : ExpectedCalibrationError,
        classNames = ClassNames,
        perClass = PerClass,
        confusion = Enumerable.Range(0, ClassNames.Count).Select(i => Enumerable.Range(0, ClassNames.Count).Select(j => Confusion[i, j]).ToArray()).ToArray(),
    };
}

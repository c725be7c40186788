using Mien.Evaluation;
using Mien.Experiments;
using Spectre.Console;

namespace Mien.Cli.Commands;

/// <summary>
/// Prints a <see cref="ClassificationReport"/>: as colour tables on a terminal (scores coloured by how good they are,
/// the confusion matrix's diagonal highlighted), as the plain text of <see cref="ClassificationReport.ToText"/> when
/// the output is redirected or NO_COLOR is set, so logs and scripts get stable, parsable text.
/// </summary>
internal static class MetricsTable
{
    public static bool UseColor => Terminal.StdoutTakesTables;

    public static void Write(ClassificationReport report) => Write(report, UseColor ? AnsiConsole.Console : null);

    /// <summary>Tables on <paramref name="console"/>, or the plain text on standard output when it is null.</summary>
    public static void Write(ClassificationReport report, IAnsiConsole? console)
    {
        if (console is null)
        {
            Console.WriteLine(report.ToText());
            return;
        }

        string loss = (double.IsNaN(report.Loss) ? "" : $"   loss {report.Loss:F4}")
                      + (double.IsNaN(report.ExpectedCalibrationError) ? "" : $"   ECE {report.ExpectedCalibrationError:F4}");
        console.MarkupLine($"items {report.Count}   accuracy [bold]{Score(report.Accuracy, percent: true)}[/]   " +
                           $"balanced accuracy {Score(report.BalancedAccuracy, percent: true)}   macro-F1 {Score(report.MacroF1)}{loss}");

        var perClass = new Table().Border(TableBorder.Rounded).AddColumn("class")
            .AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned())
            .AddColumn(new TableColumn("F1").RightAligned()).AddColumn(new TableColumn("support").RightAligned());
        foreach (var c in report.PerClass)
            perClass.AddRow(Markup.Escape(c.ClassName), Score(c.Precision), Score(c.Recall), Score(c.F1), c.Support.ToString());
        console.Write(perClass);

        int n = report.ClassNames.Count;
        var confusion = new Table().Border(TableBorder.Rounded).Title("confusion matrix (rows = true, columns = predicted)").AddColumn("");
        foreach (var name in report.ClassNames) confusion.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        for (int t = 0; t < n; t++)
        {
            int rowTotal = 0;
            for (int p = 0; p < n; p++) rowTotal += report.Confusion[t, p];
            var cells = new List<string> { Markup.Escape(report.ClassNames[t]) };
            for (int p = 0; p < n; p++)
            {
                int v = report.Confusion[t, p];
                double share = rowTotal == 0 ? 0 : (double)v / rowTotal;
                // Diagonal: green when most of the class is right. Off the diagonal: red for a large share of the class.
                cells.Add(v == 0 ? "[grey]0[/]" : t == p ? $"[{(share >= 0.7 ? "green" : share >= 0.5 ? "yellow" : "red")}]{v}[/]"
                                              : share >= 0.1 ? $"[red]{v}[/]" : v.ToString());
            }
            confusion.AddRow(cells.ToArray());
        }
        console.Write(confusion);

        var confused = report.MostConfused();
        if (confused.Count > 0)
            console.MarkupLine("most confused: " + string.Join(", ", confused.Select(x => $"{Markup.Escape(x.True)} → {Markup.Escape(x.Predicted)} ({x.Count})")));
    }

    /// <summary>One row per dataset of a cross-dataset evaluation (scores without copies of training images where there were some).</summary>
    public static void WriteSummary(IReadOnlyList<(string Dataset, DatasetEvaluation Evaluation)> results, IAnsiConsole? console, TextWriter plain)
    {
        if (console is null)
        {
            plain.WriteLine($"{"dataset",-40} {"split",-10} {"images",7} {"accuracy",9} {"balanced",9} {"macro-F1",9}");
            foreach (var (ds, e) in results)
            {
                var rep = e.WithoutCopies ?? e.Report;
                plain.WriteLine($"{Path.GetFileName(ds),-40} {e.Split,-10} {rep.Count,7} {rep.Accuracy,9:P2} {rep.BalancedAccuracy,9:P2} {rep.MacroF1,9:F4}" +
                                  (e.WithoutCopies is null ? "" : "  (copies of training images left out)"));
            }
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("dataset").AddColumn("split")
            .AddColumn(new TableColumn("images").RightAligned()).AddColumn(new TableColumn("accuracy").RightAligned())
            .AddColumn(new TableColumn("balanced").RightAligned()).AddColumn(new TableColumn("macro-F1").RightAligned());
        bool anyCopies = false;
        foreach (var (ds, e) in results)
        {
            var rep = e.WithoutCopies ?? e.Report;
            anyCopies |= e.WithoutCopies is not null;
            table.AddRow(Markup.Escape(Path.GetFileName(ds)) + (e.WithoutCopies is null ? "" : " *"), Markup.Escape(e.Split), rep.Count.ToString(),
                Score(rep.Accuracy, percent: true), Score(rep.BalancedAccuracy, percent: true), Score(rep.MacroF1));
        }
        if (anyCopies) table.Caption("* copies of training images left out");
        console.Write(table);
    }

    private static string Score(double value, bool percent = false)
    {
        string text = percent ? $"{100 * value:F2} %" : $"{value:F3}";
        string color = value >= 0.8 ? "green" : value >= 0.6 ? "yellow" : "red";
        return $"[{color}]{text}[/]";
    }
}

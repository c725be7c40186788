using Mien.Evaluation;
using Spectre.Console;

namespace Mien.Cli.Commands;

/// <summary>
/// Prints a <see cref="ClassificationReport"/>: as colour tables on a terminal (scores coloured by how good they are,
/// the confusion matrix's diagonal highlighted), as the plain text of <see cref="ClassificationReport.ToText"/> when
/// the output is redirected or NO_COLOR is set, so logs and scripts get stable, parsable text.
/// </summary>
internal static class MetricsTable
{
    public static bool UseColor =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    public static void Write(ClassificationReport report)
    {
        if (!UseColor)
        {
            Console.WriteLine(report.ToText());
            return;
        }

        var console = AnsiConsole.Console;
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

    private static string Score(double value, bool percent = false)
    {
        string text = percent ? $"{100 * value:F2} %" : $"{value:F3}";
        string color = value >= 0.8 ? "green" : value >= 0.6 ? "yellow" : "red";
        return $"[{color}]{text}[/]";
    }
}

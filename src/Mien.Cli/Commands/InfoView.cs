using Mien.Data;
using Mien.Experiments;
using Spectre.Console;

namespace Mien.Cli.Commands;

/// <summary>
/// Prints <c>mien info</c>: as Spectre tables on a terminal (an overview grid, images per class and split with
/// totals, the problems), as plain aligned text when the output is redirected or NO_COLOR is set, so scripts that
/// read it keep the same text.
/// </summary>
internal static class InfoView
{
    private const int MaxProblemsShown = 20;

    public static void Write(DatasetSummary summary, IAnsiConsole? console)
    {
        if (console is null) WritePlain(summary, Console.Out);
        else WriteTables(summary, console);
    }

    public static void WritePlain(DatasetSummary summary, TextWriter o)
    {
        var d = summary.Data;
        o.WriteLine($"dataset   {d.Origin}");
        o.WriteLine($"format    {d.Format}");
        o.WriteLine($"images    {Images(d)}");
        o.WriteLine($"sizes     {Sizes(d)}");
        o.WriteLine($"subjects  {Subjects(summary)}");
        var splits = summary.Splits;
        int w = Math.Max(10, d.ClassNames.Max(n => n.Length) + 2);
        o.WriteLine();
        o.WriteLine("class".PadRight(w) + string.Concat(splits.Select(s => s.PadLeft(12))) + "total".PadLeft(9));
        for (int k = 0; k < d.ClassNames.Count; k++)
            o.WriteLine(d.ClassNames[k].PadRight(w) + string.Concat(summary.Counts[k].Select(n => n.ToString().PadLeft(12))) + summary.Counts[k].Sum().ToString().PadLeft(9));
        o.WriteLine("total".PadRight(w) + string.Concat(splits.Select((_, j) => SplitTotal(summary, j).ToString().PadLeft(12))) + d.Count.ToString().PadLeft(9));
        if (summary.Imbalanced) o.WriteLine($"\n{ImbalanceNote(d)}");
        o.WriteLine($"duplicates {Duplicates(summary)}");
        foreach (var line in Copies(summary)) o.WriteLine($"           {line}");
        o.WriteLine();
        if (d.Problems.Count == 0) o.WriteLine("problems  none");
        else { o.WriteLine($"problems  {d.Problems.Count}"); foreach (var p in d.Problems.Take(MaxProblemsShown)) o.WriteLine($"  {p}"); }
    }

    public static void WriteTables(DatasetSummary summary, IAnsiConsole console)
    {
        var d = summary.Data;
        var overview = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        void Row(string key, string value) => overview.AddRow(new Markup($"[bold]{key}[/]"), new Text(value));
        Row("dataset", d.Origin);
        Row("format", d.Format);
        Row("images", Images(d));
        Row("sizes", Sizes(d));
        Row("subjects", Subjects(summary));
        Row("duplicates", string.Join("\n", Copies(summary).Prepend(Duplicates(summary))));
        console.Write(overview);
        console.WriteLine();

        var counts = new Table().Border(TableBorder.Rounded).AddColumn("class");
        foreach (var s in summary.Splits) counts.AddColumn(new TableColumn(Markup.Escape(s)).RightAligned());
        counts.AddColumn(new TableColumn("total").RightAligned());
        for (int k = 0; k < d.ClassNames.Count; k++)
            counts.AddRow([Markup.Escape(d.ClassNames[k]), .. summary.Counts[k].Select(n => n.ToString()), $"[bold]{summary.Counts[k].Sum()}[/]"]);
        counts.AddRow(["[bold]total[/]", .. summary.Splits.Select((_, j) => $"[bold]{SplitTotal(summary, j)}[/]"), $"[bold]{d.Count}[/]"]);
        console.Write(counts);
        if (summary.Imbalanced) console.MarkupLine($"[yellow]{Markup.Escape(ImbalanceNote(d))}[/]");

        if (d.Problems.Count == 0) { console.MarkupLine("problems  [green]none[/]"); return; }
        var problems = new Table().Border(TableBorder.Rounded).Title($"problems ({d.Problems.Count})").AddColumn("item").AddColumn("reason");
        foreach (var p in d.Problems.Take(MaxProblemsShown)) problems.AddRow(new Text(p.Item), new Text(p.Reason, new Style(Color.Red)));
        if (d.Problems.Count > MaxProblemsShown) problems.Caption($"... and {d.Problems.Count - MaxProblemsShown} more");
        console.Write(problems);
    }

    private static string Images(FaceDataset d) => $"{d.Count} (decoded to {d.Width}x{d.Height} grey)";

    private static string Sizes(FaceDataset d) =>
        string.Join(", ", d.OriginalSizes.OrderByDescending(s => s.Value).Take(5).Select(s => $"{s.Key} ({s.Value})"));

    private static string Subjects(DatasetSummary s) =>
        s.Subjects > 0 ? $"{s.Subjects} (parsed from file names; splits are grouped by subject)" : "none known (splits are stratified by class only)";

    private static int SplitTotal(DatasetSummary s, int split) => s.Counts.Sum(row => row[split]);

    private static string ImbalanceNote(FaceDataset d) =>
        d.ClassCounts() is var c ? $"note: classes are imbalanced ({c.Max()} vs {c.Min()}); consider --class-weights when training." : "";

    private static string Duplicates(DatasetSummary s) =>
        s.DuplicateImages == 0 ? "none" : $"{s.DuplicateImages} images repeat another one exactly ({s.ConflictingGroups} groups with conflicting labels)";

    private static IEnumerable<string> Copies(DatasetSummary s) =>
        s.CopiesOfTraining.Select(x => $"{x.Value} images of '{x.Key}' are identical to training images; train and cv leave them out of validation (unless --keep-duplicates); evaluate scores with and without them");
}

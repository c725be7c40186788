using Mien.Data;

namespace Mien.Cli.Commands;

/// <summary>Short human summaries shared by commands.</summary>
internal static class Summaries
{
    public static void PrintLoaded(FaceDataset data, bool problems = true)
    {
        var counts = data.ClassCounts();
        Console.WriteLine($"{data.Count} images, {data.ClassNames.Count} classes ({string.Join(", ", data.ClassNames.Select((c, i) => $"{c} {counts[i]}"))})" +
                          (data.HasSubjects ? $", {data.Subjects.Distinct().Count()} subjects" : ""));
        if (problems) PrintProblems(data.Problems);
    }

    public static void PrintProblems(IReadOnlyList<DataProblem> problems, int show = 10)
    {
        if (problems.Count == 0) return;
        Console.Error.WriteLine($"warning: {problems.Count} item(s) skipped:");
        foreach (var p in problems.Take(show)) Console.Error.WriteLine($"  skipped {p}");
        if (problems.Count > show) Console.Error.WriteLine($"  ... and {problems.Count - show} more");
    }
}

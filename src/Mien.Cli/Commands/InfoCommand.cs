using System.CommandLine;
using Mien.Experiments;

namespace Mien.Cli.Commands;

/// <summary><c>mien info</c>: what a dataset holds, before training on it (fastai's "look at your data").</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var cmd = new Command("info", "Show a dataset's classes, splits, image sizes, subjects and problems.");
        data.AddTo(cmd);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            var d = data.Load(r, c, quiet: true);
            Console.WriteLine($"dataset   {d.Origin}");
            Console.WriteLine($"format    {d.Format}");
            Console.WriteLine($"images    {d.Count} (decoded to {d.Width}x{d.Height} grey)");
            Console.WriteLine($"sizes     {string.Join(", ", d.OriginalSizes.OrderByDescending(s => s.Value).Take(5).Select(s => $"{s.Key} ({s.Value})"))}");
            var summary = DatasetSummary.Of(d);
            Console.WriteLine($"subjects  {(summary.Subjects > 0 ? $"{summary.Subjects} (parsed from file names; splits are grouped by subject)" : "none known (splits are stratified by class only)")}");
            var splits = summary.Splits;
            int w = Math.Max(10, d.ClassNames.Max(n => n.Length) + 2);
            Console.WriteLine();
            Console.WriteLine("class".PadRight(w) + string.Concat(splits.Select(s => s.PadLeft(12))) + "total".PadLeft(9));
            for (int k = 0; k < d.ClassNames.Count; k++)
                Console.WriteLine(d.ClassNames[k].PadRight(w) + string.Concat(summary.Counts[k].Select(n => n.ToString().PadLeft(12))) + summary.Counts[k].Sum().ToString().PadLeft(9));
            Console.WriteLine("total".PadRight(w) + string.Concat(splits.Select((_, j) => summary.Counts.Sum(row => row[j]).ToString().PadLeft(12))) + d.Count.ToString().PadLeft(9));
            var counts = d.ClassCounts();
            if (summary.Imbalanced)
                Console.WriteLine($"\nnote: classes are imbalanced ({counts.Max()} vs {counts.Min()}); consider --class-weights when training.");
            Console.WriteLine($"duplicates {(summary.DuplicateImages == 0 ? "none" : $"{summary.DuplicateImages} images repeat another one exactly ({summary.ConflictingGroups} groups with conflicting labels)")}");
            foreach (var (s, leaked) in summary.CopiesOfTraining)
                Console.WriteLine($"           {leaked} images of '{s}' are identical to training images; train and cv leave them out of validation (unless --keep-duplicates); evaluate scores with and without them");
            Console.WriteLine();
            if (d.Problems.Count == 0) Console.WriteLine("problems  none");
            else { Console.WriteLine($"problems  {d.Problems.Count}"); foreach (var p in d.Problems.Take(20)) Console.WriteLine($"  {p}"); }
            return 0;
        }, ct));
        return cmd;
    }
}

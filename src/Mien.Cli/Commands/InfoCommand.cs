using System.CommandLine;
using Mien.Data;

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
            var subjects = d.Subjects.OfType<string>().Distinct().Count();
            Console.WriteLine($"subjects  {(subjects > 0 ? $"{subjects} (parsed from file names; splits are grouped by subject)" : "none known (splits are stratified by class only)")}");
            var splits = d.Splits.Select(s => s ?? "(none)").Distinct().Order().ToList();
            int w = Math.Max(10, d.ClassNames.Max(n => n.Length) + 2);
            Console.WriteLine();
            Console.WriteLine("class".PadRight(w) + string.Concat(splits.Select(s => s.PadLeft(12))) + "total".PadLeft(9));
            for (int k = 0; k < d.ClassNames.Count; k++)
            {
                Console.Write(d.ClassNames[k].PadRight(w));
                foreach (var s in splits) Console.Write(Enumerable.Range(0, d.Count).Count(i => d.Labels[i] == k && (d.Splits[i] ?? "(none)") == s).ToString().PadLeft(12));
                Console.WriteLine(d.Labels.Count(l => l == k).ToString().PadLeft(9));
            }
            Console.Write("total".PadRight(w));
            foreach (var s in splits) Console.Write(d.Splits.Count(x => (x ?? "(none)") == s).ToString().PadLeft(12));
            Console.WriteLine(d.Count.ToString().PadLeft(9));
            var counts = d.ClassCounts();
            if (counts.Max() > 4 * counts.Min())
                Console.WriteLine($"\nnote: classes are imbalanced ({counts.Max()} vs {counts.Min()}); consider --class-weights when training.");
            // Identical faces: within the data (wasted or conflicting labels) and across its own splits (a leak).
            var digests = Enumerable.Range(0, d.Count).Select(d.PixelDigest).ToArray();
            var groups = Enumerable.Range(0, d.Count).GroupBy(i => digests[i]).Where(g => g.Count() > 1).ToList();
            int conflicting = groups.Count(g => g.Select(i => d.Labels[i]).Distinct().Count() > 1);
            Console.WriteLine($"duplicates {(groups.Count == 0 ? "none" : $"{groups.Sum(g => g.Count() - 1)} images repeat another one exactly ({conflicting} groups with conflicting labels)")}");
            if (d.HasSplit("train"))
            {
                var train = d.IndicesOfSplit("train").Select(i => digests[i]).ToHashSet();
                foreach (var s in splits.Where(s => s is not ("train" or "(none)")))
                {
                    int leaked = d.IndicesOfSplit(s).Count(i => train.Contains(digests[i]));
                    if (leaked > 0)
                        Console.WriteLine($"           {leaked} images of '{s}' are identical to training images; train and cv leave them out of validation (unless --keep-duplicates); evaluate scores with and without them");
                }
            }
            Console.WriteLine();
            if (d.Problems.Count == 0) Console.WriteLine("problems  none");
            else { Console.WriteLine($"problems  {d.Problems.Count}"); foreach (var p in d.Problems.Take(20)) Console.WriteLine($"  {p}"); }
            return 0;
        }, ct));
        return cmd;
    }
}

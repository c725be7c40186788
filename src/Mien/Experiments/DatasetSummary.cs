using Mien.Data;

namespace Mien.Experiments;

/// <summary>
/// What a dataset holds, before training on it (fastai's "look at your data"): images per class and split, subjects,
/// image sizes, exact duplicates (within the data, with conflicting labels, and leaking from train into the other
/// splits) and the problems met while reading it.
/// </summary>
public sealed record DatasetSummary
{
    /// <summary>The dataset summarised.</summary>
    public required FaceDataset Data { get; init; }

    /// <summary>Split names in order ("(none)" for images without one).</summary>
    public required IReadOnlyList<string> Splits { get; init; }

    /// <summary>Counts[class][split], parallel to the dataset's class names and <see cref="Splits"/>.</summary>
    public required int[][] Counts { get; init; }
    /// <summary>Number of distinct known subjects.</summary>
    public int Subjects { get; init; }

    /// <summary>Images that repeat another one exactly, and the groups of copies whose labels disagree.</summary>
    public int DuplicateImages { get; init; }
    /// <summary>Groups of identical images whose labels disagree.</summary>
    public int ConflictingGroups { get; init; }

    /// <summary>Per split other than train: how many of its images are identical to training images.</summary>
    public IReadOnlyDictionary<string, int> CopiesOfTraining { get; init; } = new Dictionary<string, int>();

    /// <summary>True when the largest class has more than 4x the images of the smallest.</summary>
    public bool Imbalanced => Data.ClassCounts() is var c && c.Max() > 4 * c.Min();

    /// <summary>Counts everything shown by <c>mien info</c>.</summary>
    public static DatasetSummary Of(FaceDataset d)
    {
        var splits = d.Splits.Select(s => s ?? "(none)").Distinct().Order().ToList();
        var counts = new int[d.ClassNames.Count][];
        for (int k = 0; k < counts.Length; k++) counts[k] = new int[splits.Count];
        for (int i = 0; i < d.Count; i++) counts[d.Labels[i]][splits.IndexOf(d.Splits[i] ?? "(none)")]++;
        var digests = Enumerable.Range(0, d.Count).Select(d.PixelDigest).ToArray();
        var groups = Enumerable.Range(0, d.Count).GroupBy(i => digests[i]).Where(g => g.Count() > 1).ToList();
        var copies = new Dictionary<string, int>();
        if (d.HasSplit("train"))
        {
            var train = d.IndicesOfSplit("train").Select(i => digests[i]).ToHashSet();
            foreach (var s in splits.Where(s => s is not ("train" or "(none)")))
                if (d.IndicesOfSplit(s).Count(i => train.Contains(digests[i])) is > 0 and var n) copies[s] = n;
        }
        return new DatasetSummary
        {
            Data = d, Splits = splits, Counts = counts, Subjects = d.Subjects.OfType<string>().Distinct().Count(),
            DuplicateImages = groups.Sum(g => g.Count() - 1),
            ConflictingGroups = groups.Count(g => g.Select(i => d.Labels[i]).Distinct().Count() > 1),
            CopiesOfTraining = copies,
        };
    }
}

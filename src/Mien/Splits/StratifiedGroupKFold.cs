namespace Mien.Splits;

/// <summary>
/// K-fold cross-validation that keeps every group (a subject) inside one fold while keeping the class mix of
/// each fold close to the whole (the greedy assignment of scikit-learn's StratifiedGroupKFold). Without
/// groups, each item is its own group and this is plain stratified k-fold. Deterministic for a given seed.
/// </summary>
public static class StratifiedGroupKFold
{
    /// <summary>Returns, for each fold, the indices of its items (the fold's test side).</summary>
    public static int[][] Split(IReadOnlyList<int> labels, IReadOnlyList<string?>? groups, int folds, int seed)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), "At least 2 folds are needed.");
        int n = labels.Count, classes = labels.Count == 0 ? 0 : labels.Max() + 1;
        // Items without a group id are their own group.
        var groupOf = Enumerable.Range(0, n).Select(i => groups?[i] is { } g ? "g:" + g : "i:" + i).ToArray();
        var groupItems = groupOf.Select((g, i) => (g, i)).GroupBy(p => p.g, p => p.i).Select(g => g.ToArray()).ToList();
        if (groupItems.Count < folds)
            throw new ArgumentException($"Cannot make {folds} folds from {groupItems.Count} groups (subjects).");

        var rng = new Random(seed);
        var shuffled = groupItems.OrderBy(_ => rng.Next()).ToList();
        var totals = new double[classes];
        foreach (var l in labels) totals[l]++;
        double[] GroupCounts(int[] items) { var c = new double[classes]; foreach (var i in items) c[labels[i]]++; return c; }

        // Groups with the most peaked class distribution first: they are hardest to place.
        var ordered = shuffled.Select(g => (Items: g, Counts: GroupCounts(g)))
            .OrderByDescending(g => StdDev(g.Counts)).ToList();

        var foldCounts = new double[folds][];
        for (int f = 0; f < folds; f++) foldCounts[f] = new double[classes];
        var foldSizes = new int[folds];
        var members = Enumerable.Range(0, folds).Select(_ => new List<int>()).ToArray();
        foreach (var (items, counts) in ordered)
        {
            int best = -1; double bestScore = double.MaxValue;
            for (int f = 0; f < folds; f++)
            {
                for (int c = 0; c < classes; c++) foldCounts[f][c] += counts[c];
                double score = 0;
                for (int c = 0; c < classes; c++)
                {
                    if (totals[c] == 0) continue;
                    score += StdDev(Enumerable.Range(0, folds).Select(k => foldCounts[k][c] / totals[c]).ToArray());
                }
                for (int c = 0; c < classes; c++) foldCounts[f][c] -= counts[c];
                if (score < bestScore - 1e-12 || (Math.Abs(score - bestScore) <= 1e-12 && foldSizes[f] < foldSizes[best]))
                { best = f; bestScore = score; }
            }
            for (int c = 0; c < classes; c++) foldCounts[best][c] += counts[c];
            foldSizes[best] += items.Length;
            members[best].AddRange(items);
        }
        return members.Select(m => m.Order().ToArray()).ToArray();
    }

    private static double StdDev(double[] v)
    {
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length);
    }
}

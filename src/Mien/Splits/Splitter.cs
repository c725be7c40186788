using Mien.Data;

namespace Mien.Splits;

/// <summary>Chooses the honest split for a dataset: its own predefined split when it has one, otherwise a
/// stratified hold-out grouped by subject whenever subjects are known.</summary>
public static class Splitter
{
    /// <summary>Train/validation(/test) split.</summary>
    /// <param name="validationFraction">Share held out for validation when the data has no predefined split.</param>
    /// <param name="testFraction">Share held out for a final test (0 = none) when the data has no predefined split.</param>
    /// <param name="dropTrainingDuplicates">Leave out validation/test images identical to a training image (see
    /// <see cref="DataSplit.WithoutDuplicatesOfTraining"/>). False reproduces a dataset's published protocol as is.</param>
    public static DataSplit HoldOut(FaceDataset data, double validationFraction = 0.15, double testFraction = 0, int seed = 42,
                                    bool groupBySubject = true, bool dropTrainingDuplicates = true)
    {
        var split = HoldOutWithDuplicates(data, validationFraction, testFraction, seed, groupBySubject);
        return dropTrainingDuplicates ? split.WithoutDuplicatesOfTraining(data) : split;
    }

    private static DataSplit HoldOutWithDuplicates(FaceDataset data, double validationFraction, double testFraction, int seed, bool groupBySubject)
    {
        if (data.DatasetNames.Count > 1) return PerDataset(data, validationFraction, testFraction, seed, groupBySubject);
        if (data.HasSplit("train") && (data.HasSplit("test") || data.HasSplit("validation")))
        {
            var train = data.IndicesOfSplit("train");
            if (data.HasSplit("validation"))
                return new DataSplit("predefined: train / validation / test", train, data.IndicesOfSplit("validation"), data.IndicesOfSplit("test"));
            return new DataSplit("predefined: train / test (used as validation)", train, data.IndicesOfSplit("test"), []);
        }
        bool grouped = groupBySubject && data.HasSubjects;
        double held = validationFraction + testFraction;
        if (held <= 0 || held >= 1) throw new ArgumentOutOfRangeException(nameof(validationFraction), "Validation + test fractions must be in (0, 1).");
        // k folds of equal size; the first ones become validation and test.
        double unit = testFraction > 0 ? Math.Min(validationFraction, testFraction) : validationFraction;
        int k = Math.Max(2, (int)Math.Round(1 / unit));
        var folds = StratifiedGroupKFold.Split(data.Labels, grouped ? data.Subjects : null, k, seed);
        int nVal = Math.Max(1, (int)Math.Round(validationFraction * k));
        int nTest = testFraction > 0 ? Math.Max(1, (int)Math.Round(testFraction * k)) : 0;
        var val = folds.Take(nVal).SelectMany(f => f).Order().ToArray();
        var test = folds.Skip(nVal).Take(nTest).SelectMany(f => f).Order().ToArray();
        var trn = folds.Skip(nVal + nTest).SelectMany(f => f).Order().ToArray();
        string how = grouped ? "grouped by subject" : "random (no subjects known)";
        return new DataSplit($"stratified hold-out {validationFraction:P0} validation{(nTest > 0 ? $", {testFraction:P0} test" : "")}, {how}, seed {seed}", trn, val, test);
    }

    // Merged datasets: each keeps its own honest split (FER2013's train/test, CK+'s subject groups), then the sides are joined.
    private static DataSplit PerDataset(FaceDataset data, double validationFraction, double testFraction, int seed, bool groupBySubject)
    {
        var train = new List<int>(); var val = new List<int>(); var test = new List<int>(); var how = new List<string>();
        for (int d = 0; d < data.DatasetNames.Count; d++)
        {
            var idx = data.IndicesOfDataset(d);
            if (idx.Length == 0) continue;
            var part = HoldOutWithDuplicates(data.Subset(idx).AsSingleDataset(data.DatasetNames[d]), validationFraction, testFraction, seed, groupBySubject);
            train.AddRange(part.Train.Select(i => idx[i])); val.AddRange(part.Validation.Select(i => idx[i])); test.AddRange(part.Test.Select(i => idx[i]));
            how.Add($"{data.DatasetNames[d]}: {part.Description}");
        }
        return new DataSplit("per dataset (" + string.Join("; ", how) + ")", [.. train.Order()], [.. val.Order()], [.. test.Order()]);
    }

    /// <summary>
    /// Leave-one-dataset-out: for each dataset of a merged one, train on all the others and test on it (every split of
    /// it), so the score is on people, cameras and labelling habits the model never saw.
    /// </summary>
    public static IReadOnlyList<DataSplit> LeaveOneDatasetOut(FaceDataset data)
    {
        if (data.DatasetNames.Count < 2) throw new ArgumentException("Leave-one-dataset-out needs at least two datasets (give --data more than once).");
        return Enumerable.Range(0, data.DatasetNames.Count).Select(d => new DataSplit(
            $"trained on {string.Join(" + ", data.DatasetNames.Where((_, j) => j != d))}, tested on {data.DatasetNames[d]}",
            Enumerable.Range(0, data.Count).Where(i => data.DatasetIndex[i] != d).ToArray(), data.IndicesOfDataset(d), [])).ToList();
    }

    /// <summary>K folds; fold i validates on folds[i] and trains on the rest.</summary>
    public static IReadOnlyList<DataSplit> KFold(FaceDataset data, int folds, int seed = 42, bool groupBySubject = true, bool dropTrainingDuplicates = true)
    {
        bool grouped = groupBySubject && data.HasSubjects;
        var parts = StratifiedGroupKFold.Split(data.Labels, grouped ? data.Subjects : null, folds, seed);
        string how = grouped ? "grouped by subject" : "random frames (subjects ignored)";
        return parts.Select((p, i) => new DataSplit(
            $"fold {i + 1}/{folds}, stratified, {how}, seed {seed}",
            parts.Where((_, j) => j != i).SelectMany(x => x).Order().ToArray(), p, []))
            .Select(s => dropTrainingDuplicates ? s.WithoutDuplicatesOfTraining(data) : s).ToList();
    }
}

using System.Text.Json;
using Mien.Data;

namespace Mien.Splits;

/// <summary>Which items train, which validate, which test. Written to the run folder so a split can be audited.</summary>
public sealed record DataSplit(string Description, int[] Train, int[] Validation, int[] Test)
{
    /// <summary>Subjects that appear on more than one side (must be empty for a subject-grouped split).</summary>
    public IReadOnlyList<string> LeakedSubjects(FaceDataset data)
    {
        HashSet<string> Of(int[] idx) => idx.Select(i => data.Subjects[i]).OfType<string>().ToHashSet();
        var tr = Of(Train); var va = Of(Validation); var te = Of(Test);
        return tr.Intersect(va).Concat(tr.Intersect(te)).Concat(va.Intersect(te)).Distinct().Order().ToList();
    }

    /// <summary>Validation and test items whose pixels are identical to some training item's (a leak of training data).</summary>
    public int[] DuplicatesOfTraining(FaceDataset data)
    {
        var seen = Train.Select(data.PixelDigest).ToHashSet();
        return Validation.Concat(Test).Where(i => seen.Contains(data.PixelDigest(i))).Order().ToArray();
    }

    /// <summary>
    /// Which of <paramref name="indices"/> (a held-out split being scored) are copies of an image of the dataset's own
    /// train split: a model trained on that split may have memorised them.
    /// </summary>
    public static HashSet<int> CopiesOfTrainSplit(FaceDataset data, IReadOnlyList<int> indices) =>
        data.HasSplit("train") ? new DataSplit("", data.IndicesOfSplit("train"), [.. indices], []).DuplicatesOfTraining(data).ToHashSet() : [];

    /// <summary>
    /// The same split without the validation and test items that duplicate a training item, so no score is measured on
    /// an image the model trained on; the description says how many were left out.
    /// </summary>
    public DataSplit WithoutDuplicatesOfTraining(FaceDataset data)
    {
        var dups = DuplicatesOfTraining(data).ToHashSet();
        if (dups.Count == 0) return this;
        return new DataSplit($"{Description}; {dups.Count} validation/test images identical to training images left out",
            Train, Validation.Where(i => !dups.Contains(i)).ToArray(), Test.Where(i => !dups.Contains(i)).ToArray());
    }

    /// <summary>Writes split.json: counts, subjects and items of every side.</summary>
    public void WriteJson(string path, FaceDataset data)
    {
        object Side(int[] idx) => new
        {
            count = idx.Length,
            classCounts = data.ClassNames.Zip(data.ClassCounts(idx)).ToDictionary(p => p.First, p => p.Second),
            subjects = idx.Select(i => data.Subjects[i]).OfType<string>().Distinct().Order().ToArray(),
            items = idx.Select(i => data.Sources[i]).ToArray(),
        };
        var doc = new { description = Description, leakedSubjects = LeakedSubjects(data), train = Side(Train), validation = Side(Validation), test = Side(Test) };
        IO.MienJson.Write(path, doc);
    }
}

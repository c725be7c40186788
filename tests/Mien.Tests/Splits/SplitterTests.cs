using Mien.Data;
using Mien.Splits;

namespace Mien.Tests.Splits;

public class SplitterTests
{
    private static readonly FaceDataset Ck = DatasetLoader.Load(TestData.CkPlusZip);

    [Fact]
    public void No_subject_is_in_two_folds()
    {
        var folds = Splitter.KFold(Ck, 10, seed: 7);
        Assert.Equal(10, folds.Count);
        var owner = new Dictionary<string, int>();
        for (int f = 0; f < folds.Count; f++)
            foreach (var i in folds[f].Validation)
            {
                var s = Ck.Subjects[i]!;
                if (owner.TryGetValue(s, out int other)) Assert.True(other == f, $"subject {s} is in folds {other} and {f}");
                owner[s] = f;
            }
        Assert.All(folds, f => Assert.Empty(f.LeakedSubjects(Ck)));
        // Every item is tested exactly once.
        Assert.Equal(Enumerable.Range(0, Ck.Count), folds.SelectMany(f => f.Validation).Order());
    }

    [Fact]
    public void Folds_are_stratified()
    {
        var folds = Splitter.KFold(Ck, 5, seed: 1);
        var whole = Ck.ClassCounts().Select(c => (double)c / Ck.Count).ToArray();
        foreach (var f in folds)
        {
            var counts = Ck.ClassCounts(f.Validation);
            for (int c = 0; c < whole.Length; c++)
                Assert.InRange((double)counts[c] / f.Validation.Length, whole[c] - 0.08, whole[c] + 0.08);
        }
    }

    [Fact]
    public void Same_seed_same_split_other_seed_other_split()
    {
        var a = Splitter.HoldOut(Ck, 0.2, seed: 3);
        var b = Splitter.HoldOut(Ck, 0.2, seed: 3);
        var c = Splitter.HoldOut(Ck, 0.2, seed: 4);
        Assert.Equal(a.Validation, b.Validation);
        Assert.NotEqual(a.Validation, c.Validation);
        Assert.Empty(a.LeakedSubjects(Ck));
        Assert.InRange(a.Validation.Length, 0.12 * Ck.Count, 0.28 * Ck.Count);
    }

    [Fact]
    public void Hold_out_with_test_keeps_three_disjoint_subject_sets()
    {
        var s = Splitter.HoldOut(Ck, 0.15, 0.15, seed: 5);
        Assert.NotEmpty(s.Test);
        Assert.Empty(s.LeakedSubjects(Ck));
        Assert.Equal(Ck.Count, s.Train.Length + s.Validation.Length + s.Test.Length);
    }

    [Fact]
    public void Random_frame_split_leaks_subjects()
    {
        // The illusion we warn about: without grouping, nearly every test subject also trains.
        var folds = Splitter.KFold(Ck, 10, seed: 7, groupBySubject: false);
        Assert.NotEmpty(folds[0].LeakedSubjects(Ck));
    }

    [Fact]
    public void Predefined_train_test_split_is_used()
    {
        var fer = DatasetLoader.Load(TestData.Fer2013Zip, new DatasetLoadOptions { Limit = 400 });
        var s = Splitter.HoldOut(fer);
        Assert.All(s.Train, i => Assert.Equal("train", fer.Splits[i]));
        Assert.All(s.Validation, i => Assert.Equal("test", fer.Splits[i]));
    }

    [Fact]
    public void Split_file_records_sides_for_audit()
    {
        using var tmp = TestData.NewTempDir();
        var s = Splitter.HoldOut(Ck, 0.2, seed: 3);
        s.WriteJson(tmp["split.json"], Ck);
        var json = File.ReadAllText(tmp["split.json"]);
        Assert.Contains("\"leaked_subjects\": []", json);
        Assert.Contains(Ck.Sources[s.Validation[0]], json);
    }

    private static FaceDataset Tiny(byte[][] images, string?[] splits) => new(
        "tiny", ["happy", "sadness"], 2, 2, images.SelectMany(x => x).ToArray(),
        images.Select((_, i) => i % 2).ToArray(), new string?[images.Length], splits,
        images.Select((_, i) => $"img{i}.png").ToArray());

    [Fact]
    public void Test_images_identical_to_training_images_are_left_out_unless_kept()
    {
        byte[][] images = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 9, 9, 9], [0, 0, 0, 1], [5, 6, 7, 8], [7, 7, 7, 7]];
        var data = Tiny(images, ["train", "train", "train", "train", "test", "test"]);   // img4 copies img1
        var kept = Splitter.HoldOut(data, dropTrainingDuplicates: false);
        Assert.Equal([4, 5], kept.Validation);
        Assert.Equal([4], kept.DuplicatesOfTraining(data));
        var clean = Splitter.HoldOut(data);
        Assert.Equal([5], clean.Validation);
        Assert.Contains("1 validation/test images identical to training images left out", clean.Description);
        Assert.Empty(clean.DuplicatesOfTraining(data));
    }

    [Fact]
    public void Folds_never_score_a_copy_of_a_training_image()
    {
        // Two copies of one face in a dataset without subjects: whichever fold holds one out trains on the other.
        var images = Enumerable.Range(0, 20).Select(i => new byte[] { (byte)i, 0, 0, 0 }).Append([3, 0, 0, 0]).ToArray();
        var data = Tiny(images, new string?[images.Length]);
        var all = Splitter.KFold(data, 5, seed: 1, dropTrainingDuplicates: false);
        Assert.Equal(21, all.Sum(f => f.Validation.Length));
        int foldOf3 = all.ToList().FindIndex(f => f.Validation.Contains(3)), foldOfCopy = all.ToList().FindIndex(f => f.Validation.Contains(20));
        var folds = Splitter.KFold(data, 5, seed: 1);
        Assert.All(folds, f => Assert.Empty(f.DuplicatesOfTraining(data)));
        // Copies in different folds are both dropped from scoring; in the same fold neither was trained on.
        Assert.Equal(foldOf3 == foldOfCopy ? 21 : 19, folds.Sum(f => f.Validation.Length));
    }
}

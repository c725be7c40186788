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
        Assert.Contains("\"leakedSubjects\": []", json);
        Assert.Contains(Ck.Sources[s.Validation[0]], json);
    }
}

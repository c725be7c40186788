using Mien.Data;
using Mien.Splits;
using OpenCvSharp;

namespace Mien.Tests.Data;

public class MultiDatasetTests
{
    private static readonly FaceDataset Ck = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { Limit = 300 });
    private static readonly FaceDataset Fer = DatasetLoader.Load(TestData.Fer2013Zip, new DatasetLoadOptions { Limit = 600 });

    [Fact]
    public void Merging_keeps_each_datasets_split_subjects_and_labels()
    {
        var both = FaceDataset.Concat([Ck, Fer]);
        Assert.Equal(Ck.Count + Fer.Count, both.Count);
        Assert.Equal(["ckplus48.zip", "fer2013.zip"], both.DatasetNames);
        // CK+'s contempt and FER's neutral both exist in the merged vocabulary.
        Assert.Contains("contempt", both.ClassNames);
        Assert.Contains("neutral", both.ClassNames);
        for (int i = 0; i < both.Count; i += 37)
        {
            var (src, j) = i < Ck.Count ? (Ck, i) : (Fer, i - Ck.Count);
            Assert.Equal(src.ClassNames[src.Labels[j]], both.ClassNames[both.Labels[i]]);
            Assert.True(src.Image(j).SequenceEqual(both.Image(i)));
            Assert.Equal(src.Splits[j], both.Splits[i]);
        }
        Assert.All(both.IndicesOfDataset(0), i => Assert.StartsWith("ckplus48.zip:S", both.Subjects[i]));

        var split = Splitter.HoldOut(both, 0.2, seed: 7);
        Assert.Empty(split.LeakedSubjects(both));
        // FER keeps its own train/test; CK+ is split by subject inside its own images.
        Assert.All(split.Train.Where(i => both.DatasetIndex[i] == 1), i => Assert.Equal("train", both.Splits[i]));
        Assert.All(split.Validation.Where(i => both.DatasetIndex[i] == 1), i => Assert.Equal("test", both.Splits[i]));
        var ckVal = split.Validation.Count(i => both.DatasetIndex[i] == 0);
        var ckTrain = split.Train.Count(i => both.DatasetIndex[i] == 0);
        Assert.True(ckVal > 0 && ckTrain > ckVal, $"CK+ split {ckTrain}/{ckVal}");
        Assert.Contains("per dataset", split.Description);
    }

    [Fact]
    public void Leave_one_dataset_out_trains_on_the_others_and_tests_on_the_held_out_one()
    {
        var both = FaceDataset.Concat([Ck, Fer]);
        var folds = Splitter.LeaveOneDatasetOut(both);
        Assert.Equal(2, folds.Count);
        Assert.All(folds[0].Validation, i => Assert.Equal(0, both.DatasetIndex[i]));
        Assert.All(folds[0].Train, i => Assert.Equal(1, both.DatasetIndex[i]));
        Assert.Equal(Ck.Count, folds[0].Validation.Length);
        Assert.Throws<ArgumentException>(() => Splitter.LeaveOneDatasetOut(Ck));
    }

    [Fact]
    public void A_labels_csv_with_names_or_vote_columns_loads_and_bad_rows_are_reported()
    {
        using var tmp = TestData.NewTempDir();
        Directory.CreateDirectory(tmp["set/img"]);
        for (int i = 0; i < 6; i++)
        {
            using var m = new Mat(60, 60, MatType.CV_8UC3, new Scalar(20 * i, 40, 200));
            Cv2.ImWrite(tmp[$"set/img/{i}.jpg"], m);
        }
        File.WriteAllLines(tmp["set/labels.csv"],
        [
            "image,emotion,split,subject", "img/0.jpg,happiness,train,p1", "img/1.jpg,Sad,train,p2", "\"img/2.jpg\",angry,test,p3",
            "img/3.jpg,happy,train,p1", "img/missing.jpg,happy,train,p4", "img/4.jpg,,train,p5",
        ]);
        var d = DatasetLoader.Load(tmp["set/labels.csv"]);
        Assert.Equal("labels CSV", d.Format);
        Assert.Equal(4, d.Count);
        Assert.Equal(["anger", "happy", "sadness"], d.ClassNames);
        Assert.Equal(3, d.IndicesOfSplit("train").Length);
        Assert.Contains(d.Problems, p => p.ToString().Contains("missing.jpg"));
        Assert.Contains(d.Problems, p => p.ToString().Contains("empty label"));
        Assert.Equal(2, d.Subjects.Count(s => s == "p1"));

        File.WriteAllLines(tmp["set/votes.csv"], ["path,neutral,happiness,surprise", "img/0.jpg,1,8,1", "img/5.jpg,6,0,4", "img/1.jpg,x,1,1"]);
        var v = DatasetLoader.Load(tmp["set/votes.csv"]);
        Assert.True(v.HasSoftTargets);
        Assert.Equal(2, v.Count);
        int a = Array.FindIndex(v.Sources, s => s.EndsWith("0.jpg"));
        Assert.Equal("happy", v.ClassNames[v.Labels[a]]);
        Assert.Equal(0.8f, v.Target(a)[v.ClassNames.ToList().IndexOf("happy")], 5);
        Assert.Contains(v.Problems, p => p.ToString().Contains("not a number"));
    }
}

using System.Text.Json;
using Mien.Data;
using Mien.Experiments;
using Mien.IO;
using Mien.Models;
using Mien.Training;

namespace Mien.Tests.Experiments;

public class CrossValidationTests
{
    [Fact]
    public void Library_cross_validation_grouped_by_subject_scores_every_image_once_on_unseen_people()
    {
        using var tmp = TestData.NewTempDir();
        var data = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { Limit = 300 });
        var cv = new CrossValidation(new CrossValidationOptions
        {
            Folds = 3, RunDirectory = tmp.Path,
            Training = new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 4 },
        });
        var folds = new List<int>();
        var result = cv.Run(data, ModelZoo.GetSpec("seed"), f => folds.Add(f.Index));

        Assert.Equal([0, 1, 2], folds);
        Assert.Equal(3, result.Folds.Count);
        Assert.True(result.Grouped);
        foreach (var f in result.Folds)
        {
            Assert.Empty(f.Split.LeakedSubjects(data));
            Assert.Equal(2, f.History.Count);
            Assert.Equal(f.Split.Validation.Length, f.Report.Count);
            // The reported score is the last epoch's, not the best one's.
            Assert.Equal(f.History[^1].ValidationAccuracy, f.Report.Accuracy, 6);
        }
        Assert.Equal(data.Count, result.Summed.Count);
        Assert.InRange(result.MeanAccuracy, 0, 1);

        var run = new RunFolder(tmp.Path);
        using var doc = JsonDocument.Parse(File.ReadAllText(run.CrossValidation));
        Assert.Equal(result.MeanAccuracy, doc.RootElement.GetProperty("mean_accuracy").GetDouble(), 9);
        Assert.Equal(2, doc.RootElement.GetProperty("settings").GetProperty("epochs").GetInt32());
        // The fold keeps the model it scored (the last epoch), not the epoch that did best on its held-out people.
        Assert.False(File.Exists(run.Fold(2).BestModel));
        using (var last = EmotionModel.Load(run.Fold(2).LastModel))
            Assert.Equal(result.Folds[2].Report.Accuracy, last.Metadata.Metrics["validation_accuracy"], 1e-6);
        Assert.EndsWith("report.html", result.WriteReport(tmp.Path, data));
    }

    [Fact]
    public void Members_train_with_their_own_seeds_on_the_same_folds_and_the_fold_scores_their_mean_probabilities()
    {
        using var tmp = TestData.NewTempDir();
        var data = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { Limit = 200 });
        var options = new CrossValidationOptions
        {
            Folds = 2, RunDirectory = tmp.Path, Members = 2,
            Training = new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 5 },
        };
        var result = new CrossValidation(options).Run(data, ModelZoo.GetSpec("seed"));
        var single = new CrossValidation(options with { Members = 1, RunDirectory = null }).Splits(data);
        for (int f = 0; f < 2; f++)
        {
            var fold = result.Folds[f];
            Assert.Equal(single[f].Validation, fold.Split.Validation);
            Assert.Equal(2, fold.MemberReports.Count);
            Assert.All(fold.MemberReports, m => Assert.Equal(fold.Split.Validation.Length, m.Count));
            // Different seeds, different networks.
            Assert.NotEqual(fold.MemberReports[0].Loss, fold.MemberReports[1].Loss);
            // The log loss is convex: the mean of two models' probabilities can score no worse than their mean loss.
            Assert.True(fold.Report.Loss <= fold.MemberReports.Average(m => m.Loss) + 1e-9,
                $"fold {f + 1}: ensemble loss {fold.Report.Loss} above the members' mean {fold.MemberReports.Average(m => m.Loss)}");
            Assert.Equal(fold.MemberReports[0].Accuracy, fold.History[^1].ValidationAccuracy, 6);
            Assert.True(File.Exists(new RunFolder(Path.Combine(new RunFolder(tmp.Path).Fold(f).Root, "member-2")).LastModel));
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(new RunFolder(tmp.Path).CrossValidation));
        Assert.Equal(2, doc.RootElement.GetProperty("members").GetInt32());
        Assert.Equal(2, doc.RootElement.GetProperty("member_accuracies")[0].GetArrayLength());
        var e = Assert.Throws<ArgumentException>(() => new CrossValidation(options with { Members = 0 }).Run(data, ModelZoo.GetSpec("seed")));
        Assert.Contains("members", e.Message);
    }

    [Fact]
    public void Same_seed_gives_the_same_folds()
    {
        var data = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { Limit = 300 });
        var o = new CrossValidationOptions { Folds = 5, Training = new TrainingOptions { Seed = 9 } };
        var a = new CrossValidation(o).Splits(data);
        var b = new CrossValidation(o).Splits(data);
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i].Validation, b[i].Validation);
    }
}

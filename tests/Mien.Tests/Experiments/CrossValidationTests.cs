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
        Assert.True(File.Exists(run.Fold(2).BestModel));
        Assert.EndsWith("report.html", result.WriteReport(tmp.Path, data));
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

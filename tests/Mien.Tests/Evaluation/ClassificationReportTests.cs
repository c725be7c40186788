using Mien.Evaluation;

namespace Mien.Tests.Evaluation;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class ClassificationReportTests
{
    [Fact]
    public void Metrics_match_hand_computed_values()
    {
        // truth:     a a a a b b c c
        // predicted: a a a b b c c c
        int[] t = [0, 0, 0, 0, 1, 1, 2, 2], p = [0, 0, 0, 1, 1, 2, 2, 2];
        var r = ClassificationReport.From(t, p, ["a", "b", "c"]);
        Assert.Equal(6.0 / 8, r.Accuracy, 9);
        Assert.Equal((0.75 + 0.5 + 1.0) / 3, r.BalancedAccuracy, 9);
        Assert.Equal(1.0, r.PerClass[0].Precision, 9);
        Assert.Equal(0.5, r.PerClass[1].Precision, 9);
        Assert.Equal(2.0 / 3, r.PerClass[2].Precision, 9);
        Assert.Equal(3, r.Confusion[0, 0]);
        Assert.Equal(1, r.Confusion[0, 1]);
        Assert.Equal(("a", "b", 1), r.MostConfused(1)[0]);
        Assert.Contains("confusion matrix", r.ToText());
    }

    [Fact]
    public void Summing_folds_adds_confusion_matrices()
    {
        var a = ClassificationReport.From([0, 1], [0, 0], ["x", "y"]);
        var b = ClassificationReport.From([1, 1], [1, 1], ["x", "y"]);
        var s = ClassificationReport.Sum([a, b]);
        Assert.Equal(4, s.Count);
        Assert.Equal(0.75, s.Accuracy, 9);
        Assert.Equal(1, s.Confusion[1, 0]);
    }
}

using Mien.Evaluation;

namespace Mien.Tests.Evaluation;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class CollapseCheckTests
{
    private static readonly string[] Classes = ["anger", "happy", "surprise"];

    [Fact]
    public void A_model_answering_one_class_is_flagged_by_name()
    {
        // What the seed preset did on two CK+ folds: every face called "surprise".
        int[] truth = [.. Enumerable.Range(0, 30).Select(i => i % 3)];
        var report = ClassificationReport.From(truth, [.. truth.Select(_ => 2)], Classes);
        var warning = CollapseCheck.Warning(report);
        Assert.NotNull(warning);
        Assert.Contains("'surprise'", warning);
        Assert.Contains("100", warning);
    }

    [Fact]
    public void A_model_that_uses_several_classes_is_not_flagged()
    {
        int[] truth = [.. Enumerable.Range(0, 30).Select(i => i % 3)];
        int[] predicted = [.. truth.Select((t, i) => i % 10 == 0 ? 2 : t)]; // mostly right
        Assert.Null(CollapseCheck.Warning(ClassificationReport.From(truth, predicted, Classes)));
        // Imbalanced but honest: 90% of the faces are happy and the model says so, yet not for all of them.
        int[] skewedTruth = [.. Enumerable.Range(0, 100).Select(i => i < 90 ? 1 : 0)];
        int[] skewedPrediction = [.. skewedTruth.Select((t, i) => i >= 92 ? 0 : 1)];
        Assert.Null(CollapseCheck.Warning(ClassificationReport.From(skewedTruth, skewedPrediction, Classes)));
    }
}

namespace Mien.Evaluation;

/// <summary>
/// Spots a collapsed model: one that answers (almost) the same class for every face, the usual sign of a diverged
/// training run (too high a learning rate, dead ReLUs) rather than of hard data. Its accuracy is then just that
/// class's share, and a mean over folds hides it.
/// </summary>
public static class CollapseCheck
{
    /// <summary>A one-line warning when at least <paramref name="share"/> of the predictions are one class; otherwise null.</summary>
    public static string? Warning(ClassificationReport report, double share = 0.95)
    {
        ArgumentNullException.ThrowIfNull(report);
        int n = report.ClassNames.Count;
        if (report.Count < 10 || n < 2) return null;
        var predicted = new int[n];
        for (int t = 0; t < n; t++)
            for (int p = 0; p < n; p++) predicted[p] += report.Confusion[t, p];
        int top = Array.IndexOf(predicted, predicted.Max());
        double fraction = (double)predicted[top] / report.Count;
        return fraction < share ? null
            : $"warning: the model answers '{report.ClassNames[top]}' for {fraction:P0} of the faces: training collapsed. " +
              "Try a lower --lr, a longer --warmup, or a preset with batch norm.";
    }
}

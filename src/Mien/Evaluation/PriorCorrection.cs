namespace Mien.Evaluation;

/// <summary>
/// Post-hoc logit adjustment (Menon et al., 2021): scores z - tau * log(prior) undo part of the training data's class
/// mix. A model trained on FER (a third neutral, under 1 % disgust) calls CK+'s posed disgust "anger" and its anger
/// "neutral"; with the prior taken out, rare classes win when the face shows them. tau = 0 is the model as trained
/// (best accuracy on faces mixed like its training data), tau = 1 the balanced decision (best mean recall).
/// </summary>
public static class PriorCorrection
{
    /// <summary>
    /// The strengths the fit tries: <see cref="MinTau"/> to <see cref="MaxTau"/> in steps of <see cref="TauStep"/>. A negative
    /// tau puts part of the prior back, for a network trained with a logit-adjusted loss.
    /// </summary>
    public const double MinTau = -1, MaxTau = 1.5, TauStep = 0.05;

    /// <summary>
    /// The class prior the model has learnt: the mean of softmax(<paramref name="logits"/>) over items. It needs no
    /// training data (a model file does not carry its training set) and matches the training mix for a model that is
    /// roughly calibrated.
    /// </summary>
    public static double[] EstimatePrior(IReadOnlyList<double[]> logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Count == 0) throw new ArgumentException("Estimating a prior needs at least one item.", nameof(logits));
        var prior = new double[logits[0].Length];
        foreach (var z in logits)
        {
            var p = Calibration.Softmax(z);
            for (int k = 0; k < prior.Length; k++) prior[k] += p[k] / logits.Count;
        }
        return prior;
    }

    /// <summary>The logit bias -tau * log(prior), centred (softmax ignores a common shift).</summary>
    public static float[] Bias(IReadOnlyList<double> prior, double tau)
    {
        ArgumentNullException.ThrowIfNull(prior);
        var b = prior.Select(p => -tau * Math.Log(Math.Max(p, 1e-6))).ToArray();
        double mean = b.Average();
        return [.. b.Select(v => (float)(v - mean))];
    }

    /// <summary>
    /// The strength whose decisions maximise the mean of accuracy and balanced accuracy on the given items: equal
    /// weight to faces mixed as in the training data and to every class counting alike. Ties go to the weaker
    /// correction (smaller |tau|). <paramref name="logits"/> are the uncorrected scores (any per-item constant shift is harmless).
    /// </summary>
    public static double FitTau(IReadOnlyList<double[]> logits, IReadOnlyList<int> truth, IReadOnlyList<double> prior)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(truth);
        if (logits.Count != truth.Count) throw new ArgumentException($"{logits.Count} score rows but {truth.Count} labels.");
        double bestTau = 0, bestScore = double.NegativeInfinity;
        int steps = (int)Math.Round((MaxTau - MinTau) / TauStep);
        // From tau = 0 outwards, so that a tie keeps the weaker correction.
        foreach (double tau in Enumerable.Range(0, steps + 1).Select(i => Math.Round(MinTau + i * TauStep, 10)).OrderBy(Math.Abs))
        {
            var bias = Bias(prior, tau);
            var predicted = logits.Select(z => ArgMax(z, bias)).ToArray();
            var (accuracy, balanced) = Accuracies(predicted, truth, prior.Count);
            double score = (accuracy + balanced) / 2;
            if (score > bestScore + 1e-12) (bestScore, bestTau) = (score, tau);
        }
        return bestTau;
    }

    /// <summary>Top-1 accuracy and balanced accuracy (mean recall over the classes present).</summary>
    public static (double Accuracy, double BalancedAccuracy) Accuracies(IReadOnlyList<int> predicted, IReadOnlyList<int> truth, int classes)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(truth);
        if (truth.Count == 0) return (double.NaN, double.NaN);
        var hits = new int[classes];
        var support = new int[classes];
        for (int i = 0; i < truth.Count; i++)
        {
            support[truth[i]]++;
            if (predicted[i] == truth[i]) hits[truth[i]]++;
        }
        double balanced = Enumerable.Range(0, classes).Where(c => support[c] > 0).Average(c => (double)hits[c] / support[c]);
        return ((double)hits.Sum() / truth.Count, balanced);
    }

    private static int ArgMax(double[] z, float[] bias)
    {
        int best = 0;
        for (int k = 1; k < z.Length; k++) if (z[k] + bias[k] > z[best] + bias[best]) best = k;
        return best;
    }
}

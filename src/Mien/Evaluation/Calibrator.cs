using Mien.Data;
using Mien.Models;

namespace Mien.Evaluation;

/// <summary>
/// Calibrates a model's probabilities with temperature scaling, so that a "0.91 happy" is right about 91 % of the
/// time, and optionally corrects its class prior: fits both on a stratified part of held-out items and reports the
/// effect on the rest.
/// </summary>
public static class Calibrator
{
    /// <summary>
    /// Fits the temperature on a stratified <paramref name="fitFraction"/> of <paramref name="indices"/> (items the
    /// model never trained on) and measures ECE and NLL before and after on the remaining items. With
    /// <paramref name="balance"/> it first fits a prior correction (<see cref="PriorCorrection"/>) on the same part. The
    /// result's indices are dataset indices.
    /// </summary>
#pragma warning disable RS0026 // two overloads with optional parameters, as before: they differ in their first parameter's type
    public static CalibrationResult Fit(EmotionModel model, FaceDataset data, IReadOnlyList<int> indices, double fitFraction = 0.5, int seed = 42,
                                        int bins = Calibration.DefaultBins, bool balance = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        CheckFraction(fitFraction);
        var items = indices.Distinct().ToArray();
        var truth = Evaluator.ModelLabels(model, data, items);
        // One pass of the network without flip averaging: its probabilities then rescale to any temperature exactly.
        var probs = Evaluator.PredictProbabilities(model, data, items, cancellationToken: cancellationToken);
        var result = Fit(probs, truth, model.Metadata.Temperature, fitFraction, seed, bins, model.Metadata.LogitBias, balance);
        return result with { FitIndices = [.. result.FitIndices.Select(i => items[i])], EvaluationIndices = [.. result.EvaluationIndices.Select(i => items[i])] };
    }

    /// <summary>
    /// The same from probabilities already computed at temperature <paramref name="currentTemperature"/> and logit bias
    /// <paramref name="currentBias"/> (both are taken out first, so the fit starts from the network's own scores); the
    /// result's indices are positions in <paramref name="probabilities"/>. Without <paramref name="balance"/> the bias
    /// is kept as it is.
    /// </summary>
    public static CalibrationResult Fit(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, double currentTemperature = 1,
                                        double fitFraction = 0.5, int seed = 42, int bins = Calibration.DefaultBins,
                                        IReadOnlyList<float>? currentBias = null, bool balance = false)
#pragma warning restore RS0026
    {
        Calibration.Check(probabilities, truth);
        CheckFraction(fitFraction);
        if (!(currentTemperature > 0) || !double.IsFinite(currentTemperature))
            throw new ArgumentOutOfRangeException(nameof(currentTemperature), currentTemperature, "The temperature must be a positive finite number.");
        var (fit, eval) = StratifiedSplit(truth, fitFraction, seed);
        if (fit.Length == 0 || eval.Length == 0)
            throw new ArgumentException($"{truth.Count} images are too few to fit a temperature on {fitFraction:P0} of them and measure it on the rest.");
        int k = probabilities[0].Length;
        if (currentBias is not null && currentBias.Count != k) throw new ArgumentException($"The bias has {currentBias.Count} values for {k} classes.", nameof(currentBias));

        // The network's scores up to a per-item constant: log p = (z + b) / T - log sum.
        var raw = Calibration.LogProbabilities(probabilities)
            .Select(lp => lp.Select((v, c) => v * currentTemperature - (currentBias?[c] ?? 0)).ToArray()).ToArray();
        var fitRaw = fit.Select(i => raw[i]).ToArray();
        var fitTruth = fit.Select(i => truth[i]).ToArray();
        double tau = 0;
        double[]? prior = null;
        IReadOnlyList<float>? bias = currentBias;
        if (balance)
        {
            // Calibrated first: the prior is then the mean of honest probabilities, and tau acts on scores of the right scale
            // (a model trained on soft labels is underconfident, so its raw softmax understates the class mix).
            double t0 = TemperatureScaling.Fit([.. fitRaw.Select(z => Softmax(z, null))], fitTruth);
            var scaled = fitRaw.Select(z => z.Select(v => v / t0).ToArray()).ToArray();
            prior = PriorCorrection.EstimatePrior(scaled);
            tau = PriorCorrection.FitTau(scaled, fitTruth, prior);
            bias = tau == 0 ? null : [.. PriorCorrection.Bias(prior, tau).Select(b => (float)(b * t0))];
        }
        var corrected = raw.Select(z => Softmax(z, bias)).ToArray(); // at temperature 1
        var (fitProbs, evalBase) = (fit.Select(i => corrected[i]).ToArray(), eval.Select(i => corrected[i]).ToArray());
        var evalProbs = eval.Select(i => probabilities[i]).ToArray();
        var evalTruth = eval.Select(i => truth[i]).ToArray();

        double temperature = TemperatureScaling.Fit(fitProbs, fitTruth);
        var after = Calibration.Rescale(evalBase, temperature);
        var binsBefore = Calibration.Reliability(evalProbs, evalTruth, bins);
        var binsAfter = Calibration.Reliability(after, evalTruth, bins);
        var (accBefore, balBefore) = PriorCorrection.Accuracies([.. evalProbs.Select(Evaluator.ArgMax)], evalTruth, k);
        var (accAfter, balAfter) = PriorCorrection.Accuracies([.. after.Select(Evaluator.ArgMax)], evalTruth, k);
        return new CalibrationResult
        {
            PreviousTemperature = currentTemperature,
            Temperature = temperature,
            PreviousLogitBias = currentBias,
            LogitBias = bias,
            PriorCorrection = balance ? tau : null,
            Prior = prior,
            FitIndices = fit, EvaluationIndices = eval,
            AccuracyBefore = accBefore, Accuracy = accAfter,
            BalancedAccuracyBefore = balBefore, BalancedAccuracy = balAfter,
            EceBefore = Calibration.ExpectedCalibrationError(binsBefore), EceAfter = Calibration.ExpectedCalibrationError(binsAfter),
            NllBefore = Calibration.NegativeLogLikelihood(evalProbs, evalTruth), NllAfter = Calibration.NegativeLogLikelihood(after, evalTruth),
            BinsBefore = binsBefore, BinsAfter = binsAfter,
        };
    }

    private static float[] Softmax(double[] z, IReadOnlyList<float>? bias) =>
        Calibration.ToFloat(Calibration.Softmax(z.Select((v, c) => v + (bias?[c] ?? 0))));

    private static void CheckFraction(double fitFraction)
    {
        if (!(fitFraction > 0 && fitFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fitFraction), fitFraction, "The fitting fraction must be between 0 and 1 (exclusive).");
    }

    /// <summary>Positions of each class shuffled (seeded) and cut at <paramref name="fraction"/>: both parts keep the class mix.</summary>
    internal static (int[] Fit, int[] Held) StratifiedSplit(IReadOnlyList<int> labels, double fraction, int seed)
    {
        var rng = new Random(seed);
        var first = new List<int>();
        var rest = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var items = group.ToArray();
            rng.Shuffle(items);
            int n = (int)Math.Round(fraction * items.Length, MidpointRounding.AwayFromZero);
            first.AddRange(items[..n]);
            rest.AddRange(items[n..]);
        }
        return ([.. first.Order()], [.. rest.Order()]);
    }
}

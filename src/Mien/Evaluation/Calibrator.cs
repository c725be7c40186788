using Mien.Data;
using Mien.Models;

namespace Mien.Evaluation;

/// <summary>
/// Calibrates a model's probabilities with temperature scaling, so that a "0.91 happy" is right about 91 % of the
/// time: fits T on a stratified part of held-out items and reports the effect on the rest.
/// </summary>
public static class Calibrator
{
    /// <summary>
    /// Fits the temperature on a stratified <paramref name="fitFraction"/> of <paramref name="indices"/> (items the
    /// model never trained on) and measures ECE and NLL before and after on the remaining items.
    /// </summary>
    public static CalibrationResult Fit(EmotionModel model, FaceDataset data, IReadOnlyList<int> indices, double fitFraction = 0.5, int seed = 42,
                                        int bins = Calibration.DefaultBins, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        if (!(fitFraction > 0 && fitFraction < 1)) throw new ArgumentOutOfRangeException(nameof(fitFraction), fitFraction, "The fitting fraction must be between 0 and 1 (exclusive).");
        var (fit, eval) = StratifiedSplit(data, indices, fitFraction, seed);
        if (fit.Length == 0 || eval.Length == 0)
            throw new ArgumentException($"{indices.Count} images are too few to fit a temperature on {fitFraction:P0} of them and measure it on the rest.");

        // One pass of the network: T = 1 probabilities rescale to any temperature exactly (no flip averaging, which would break that).
        int[] all = [.. fit, .. eval];
        var truth = Evaluator.ModelLabels(model, data, all);
        var probs = Evaluator.PredictProbabilities(model, data, all, cancellationToken: cancellationToken);
        var (fitProbs, evalProbs) = (probs[..fit.Length], probs[fit.Length..]);
        var (fitTruth, evalTruth) = (truth[..fit.Length], truth[fit.Length..]);

        // The probabilities come at the model's current temperature, so the fitted factor multiplies it.
        double factor = TemperatureScaling.Fit(fitProbs, fitTruth);
        var after = Calibration.Rescale(evalProbs, factor);
        var binsBefore = Calibration.Reliability(evalProbs, evalTruth, bins);
        var binsAfter = Calibration.Reliability(after, evalTruth, bins);
        return new CalibrationResult
        {
            PreviousTemperature = model.Metadata.Temperature,
            Temperature = model.Metadata.Temperature * factor,
            FitIndices = fit, EvaluationIndices = eval,
            Accuracy = (double)evalProbs.Select((p, i) => Evaluator.ArgMax(p) == evalTruth[i]).Count(ok => ok) / eval.Length,
            EceBefore = Calibration.ExpectedCalibrationError(binsBefore), EceAfter = Calibration.ExpectedCalibrationError(binsAfter),
            NllBefore = Calibration.NegativeLogLikelihood(evalProbs, evalTruth), NllAfter = Calibration.NegativeLogLikelihood(after, evalTruth),
            BinsBefore = binsBefore, BinsAfter = binsAfter,
        };
    }

    /// <summary>Each class's items shuffled (seeded) and cut at <paramref name="fraction"/>: both parts keep the class mix.</summary>
    internal static (int[] Fit, int[] Held) StratifiedSplit(FaceDataset data, IReadOnlyList<int> indices, double fraction, int seed)
    {
        var rng = new Random(seed);
        var first = new List<int>();
        var rest = new List<int>();
        foreach (var group in indices.Distinct().GroupBy(i => data.Labels[i]).OrderBy(g => g.Key))
        {
            var items = group.Order().ToArray();
            rng.Shuffle(items);
            int n = (int)Math.Round(fraction * items.Length, MidpointRounding.AwayFromZero);
            first.AddRange(items[..n]);
            rest.AddRange(items[n..]);
        }
        return ([.. first.Order()], [.. rest.Order()]);
    }
}

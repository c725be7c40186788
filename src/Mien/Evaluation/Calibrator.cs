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
    /// model never trained on) and measures ECE and NLL before and after on the remaining items. The result's
    /// indices are dataset indices.
    /// </summary>
    public static CalibrationResult Fit(EmotionModel model, FaceDataset data, IReadOnlyList<int> indices, double fitFraction = 0.5, int seed = 42,
                                        int bins = Calibration.DefaultBins, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        CheckFraction(fitFraction);
        var items = indices.Distinct().ToArray();
        var truth = Evaluator.ModelLabels(model, data, items);
        // One pass of the network without flip averaging: its probabilities then rescale to any temperature exactly.
        var probs = Evaluator.PredictProbabilities(model, data, items, cancellationToken: cancellationToken);
        var result = Fit(probs, truth, model.Metadata.Temperature, fitFraction, seed, bins);
        return result with { FitIndices = [.. result.FitIndices.Select(i => items[i])], EvaluationIndices = [.. result.EvaluationIndices.Select(i => items[i])] };
    }

    /// <summary>
    /// The same from probabilities already computed at temperature <paramref name="currentTemperature"/> (the
    /// fitted factor multiplies it); the result's indices are positions in <paramref name="probabilities"/>.
    /// </summary>
    public static CalibrationResult Fit(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, double currentTemperature = 1,
                                        double fitFraction = 0.5, int seed = 42, int bins = Calibration.DefaultBins)
    {
        Calibration.Check(probabilities, truth);
        CheckFraction(fitFraction);
        if (!(currentTemperature > 0) || !double.IsFinite(currentTemperature))
            throw new ArgumentOutOfRangeException(nameof(currentTemperature), currentTemperature, "The temperature must be a positive finite number.");
        var (fit, eval) = StratifiedSplit(truth, fitFraction, seed);
        if (fit.Length == 0 || eval.Length == 0)
            throw new ArgumentException($"{truth.Count} images are too few to fit a temperature on {fitFraction:P0} of them and measure it on the rest.");
        var (fitProbs, evalProbs) = (fit.Select(i => probabilities[i]).ToArray(), eval.Select(i => probabilities[i]).ToArray());
        var (fitTruth, evalTruth) = (fit.Select(i => truth[i]).ToArray(), eval.Select(i => truth[i]).ToArray());

        double factor = TemperatureScaling.Fit(fitProbs, fitTruth);
        var after = Calibration.Rescale(evalProbs, factor);
        var binsBefore = Calibration.Reliability(evalProbs, evalTruth, bins);
        var binsAfter = Calibration.Reliability(after, evalTruth, bins);
        return new CalibrationResult
        {
            PreviousTemperature = currentTemperature,
            Temperature = currentTemperature * factor,
            FitIndices = fit, EvaluationIndices = eval,
            Accuracy = (double)evalProbs.Where((p, i) => Evaluator.ArgMax(p) == evalTruth[i]).Count() / eval.Length,
            EceBefore = Calibration.ExpectedCalibrationError(binsBefore), EceAfter = Calibration.ExpectedCalibrationError(binsAfter),
            NllBefore = Calibration.NegativeLogLikelihood(evalProbs, evalTruth), NllAfter = Calibration.NegativeLogLikelihood(after, evalTruth),
            BinsBefore = binsBefore, BinsAfter = binsAfter,
        };
    }

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

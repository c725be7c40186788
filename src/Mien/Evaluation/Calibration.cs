namespace Mien.Evaluation;

/// <summary>
/// How far predicted probabilities are from being honest: reliability bins, expected calibration error (ECE) and
/// negative log-likelihood, plus rescaling probabilities by a temperature.
/// </summary>
public static class Calibration
{
    /// <summary>The usual number of equal-width confidence bins (Guo et al., 2017).</summary>
    public const int DefaultBins = 15;

    // Softmax outputs are float32: a class far behind rounds to 0, whose log would be -inf.
    private const double MinProbability = 1e-30;

    /// <summary>Top-1 confidence against accuracy in <paramref name="bins"/> equal-width bins over [0, 1].</summary>
    public static ReliabilityBin[] Reliability(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, int bins = DefaultBins)
    {
        Check(probabilities, truth);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var count = new int[bins];
        var confidence = new double[bins];
        var correct = new int[bins];
        for (int i = 0; i < probabilities.Count; i++)
        {
            int top = Evaluator.ArgMax(probabilities[i]);
            double c = probabilities[i][top];
            int b = Math.Clamp((int)(c * bins), 0, bins - 1);
            count[b]++;
            confidence[b] += c;
            if (top == truth[i]) correct[b]++;
        }
        return Enumerable.Range(0, bins).Select(b => new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, count[b],
            count[b] == 0 ? 0 : confidence[b] / count[b], count[b] == 0 ? 0 : (double)correct[b] / count[b])).ToArray();
    }

    /// <summary>
    /// Expected calibration error: the mean over bins of |accuracy - mean confidence|, weighted by the bin's share of
    /// the items. 0 = a confidence of p is right p of the time. NaN for no items.
    /// </summary>
    public static double ExpectedCalibrationError(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, int bins = DefaultBins) =>
        ExpectedCalibrationError(Reliability(probabilities, truth, bins));

    /// <summary>ECE of already computed bins.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<ReliabilityBin> bins)
    {
        int n = bins.Sum(b => b.Count);
        return n == 0 ? double.NaN : bins.Sum(b => (double)b.Count / n * Math.Abs(b.Gap));
    }

    /// <summary>
    /// Mean negative log-likelihood of the true classes after rescaling the probabilities by
    /// <paramref name="temperature"/> (1 = as they are).
    /// </summary>
    public static double NegativeLogLikelihood(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth, double temperature = 1)
    {
        Check(probabilities, truth);
        return NegativeLogLikelihood(LogProbabilities(probabilities), truth, temperature);
    }

    internal static double NegativeLogLikelihood(double[][] logProbabilities, IReadOnlyList<int> truth, double temperature)
    {
        if (logProbabilities.Length == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < logProbabilities.Length; i++)
        {
            var z = logProbabilities[i];
            double max = double.NegativeInfinity;
            foreach (double v in z) max = Math.Max(max, v / temperature);
            double lse = 0;
            foreach (double v in z) lse += Math.Exp(v / temperature - max);
            sum += max + Math.Log(lse) - z[truth[i]] / temperature;
        }
        return sum / logProbabilities.Length;
    }

    /// <summary>
    /// softmax(log p / T): probabilities computed at one temperature turned into those at T times it, since
    /// log p equals the logits up to a constant per item.
    /// </summary>
    public static float[][] Rescale(IReadOnlyList<float[]> probabilities, double temperature)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a positive finite number.");
        var logs = LogProbabilities(probabilities);
        return [.. logs.Select(z => ToFloat(Softmax(z.Select(v => v / temperature))))];
    }

    /// <summary>softmax of scores (max subtracted first, so large scores cannot overflow).</summary>
    internal static double[] Softmax(IEnumerable<double> scores)
    {
        var z = scores as double[] ?? [.. scores];
        double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
        return [.. z.Select(v => Math.Exp(v - max) / sum)];
    }

    internal static float[] ToFloat(double[] p) => [.. p.Select(v => (float)v)];

    internal static double[][] LogProbabilities(IReadOnlyList<float[]> probabilities) =>
        probabilities.Select(p => p.Select(v => Math.Log(Math.Max(MinProbability, v))).ToArray()).ToArray();

    internal static void Check(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(truth);
        if (probabilities.Count != truth.Count) throw new ArgumentException($"{probabilities.Count} probability rows but {truth.Count} labels.");
        for (int i = 0; i < truth.Count; i++)
            if (truth[i] < 0 || truth[i] >= probabilities[i].Length)
                throw new ArgumentException($"Label {truth[i]} of item {i} is outside the {probabilities[i].Length} classes.");
    }
}

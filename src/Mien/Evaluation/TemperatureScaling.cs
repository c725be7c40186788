namespace Mien.Evaluation;

/// <summary>
/// Temperature scaling (Guo et al., 2017): one number T, probabilities softmax(logits / T), chosen to minimise the
/// negative log-likelihood on held-out data. It changes confidences only, never which class wins.
/// </summary>
public static class TemperatureScaling
{
    /// <summary>The range of temperatures the search considers.</summary>
    public const double MinTemperature = 0.05, MaxTemperature = 20;

    /// <summary>
    /// The temperature, relative to the one the probabilities were computed at, that minimises their NLL. The NLL is
    /// convex in 1/T, hence unimodal in log T: a golden-section search over [ln min, ln max] finds it reliably.
    /// </summary>
    public static double Fit(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truth,
                             double minTemperature = MinTemperature, double maxTemperature = MaxTemperature)
    {
        Calibration.Check(probabilities, truth);
        if (probabilities.Count == 0) throw new ArgumentException("Fitting a temperature needs at least one labelled item.", nameof(probabilities));
        if (!(minTemperature > 0) || !(maxTemperature > minTemperature)) throw new ArgumentOutOfRangeException(nameof(minTemperature), "Need 0 < minTemperature < maxTemperature.");
        var logs = Calibration.LogProbabilities(probabilities);
        double Nll(double logT) => Calibration.NegativeLogLikelihood(logs, truth, Math.Exp(logT));

        double invPhi = (Math.Sqrt(5) - 1) / 2;
        double a = Math.Log(minTemperature), b = Math.Log(maxTemperature);
        double c = b - invPhi * (b - a), d = a + invPhi * (b - a);
        double fc = Nll(c), fd = Nll(d);
        while (b - a > 1e-6)
        {
            if (fc <= fd) { b = d; d = c; fd = fc; c = b - invPhi * (b - a); fc = Nll(c); }
            else { a = c; c = d; fc = fd; d = a + invPhi * (b - a); fd = Nll(d); }
        }
        return Math.Exp((a + b) / 2);
    }
}

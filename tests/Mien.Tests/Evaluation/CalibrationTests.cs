using Mien.Evaluation;

namespace Mien.Tests.Evaluation;

/// <summary>ECE, reliability bins and temperature scaling on hand-made and synthetic probabilities.</summary>
[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class CalibrationTests
{
    /// <summary>n items of two classes with top-1 probability <paramref name="confidence"/> for class 0, the first <paramref name="right"/> of them truly class 0.</summary>
    private static (float[][] P, int[] Y) Items(int n, float confidence, int right) =>
        (Enumerable.Range(0, n).Select(_ => new[] { confidence, 1 - confidence }).ToArray(),
         Enumerable.Range(0, n).Select(i => i < right ? 0 : 1).ToArray());

    private static (float[][] P, int[] Y) Concat(params (float[][] P, int[] Y)[] parts) =>
        (parts.SelectMany(p => p.P).ToArray(), parts.SelectMany(p => p.Y).ToArray());

    [Fact]
    public void A_perfectly_calibrated_set_has_zero_ece()
    {
        // 0.8 right 8 times in 10, 0.6 right 3 times in 5, 0.95 right 19 times in 20.
        var (p, y) = Concat(Items(10, 0.8f, 8), Items(5, 0.6f, 3), Items(20, 0.95f, 19));
        Assert.Equal(0, Calibration.ExpectedCalibrationError(p, y), 6);
    }

    [Fact]
    public void An_overconfident_set_has_the_count_weighted_gap_as_ece()
    {
        // 6 items at 0.6 with 3 right (gap 0.1), 4 at 0.95 with 2 right (gap 0.45): ECE = 0.6 * 0.1 + 0.4 * 0.45 = 0.24.
        var (p, y) = Concat(Items(6, 0.6f, 3), Items(4, 0.95f, 2));
        Assert.Equal(0.24, Calibration.ExpectedCalibrationError(p, y), 5);

        var bins = Calibration.Reliability(p, y);
        Assert.Equal(Calibration.DefaultBins, bins.Length);
        Assert.Equal(10, bins.Sum(b => b.Count));
        var high = bins[14]; // [14/15, 1]
        Assert.Equal(4, high.Count);
        Assert.Equal(0.95, high.MeanConfidence, 5);
        Assert.Equal(0.5, high.Accuracy, 9);
        Assert.Equal(6, bins[9].Count); // 0.6 falls in [9/15, 10/15)
        Assert.All(bins.Where((_, i) => i is not (9 or 14)), b => Assert.Equal(0, b.Count));
    }

    [Fact]
    public void Ece_ignores_the_runner_up_and_counts_a_wrong_top_class_as_a_miss()
    {
        // Always 0.7 on the wrong class: confidence 0.7, accuracy 0.
        float[][] p = [[0.1f, 0.7f, 0.2f], [0.7f, 0.2f, 0.1f]];
        Assert.Equal(0.7, Calibration.ExpectedCalibrationError(p, [0, 2]), 5);
    }

    [Fact]
    public void Temperature_fit_recovers_a_known_temperature_from_synthetic_logits()
    {
        // Labels drawn from softmax(z / 2.5); the fitter sees softmax(z) only and must find 2.5.
        const double trueT = 2.5;
        var rng = new Random(7);
        int n = 20000, k = 7;
        var probs = new float[n][];
        var truth = new int[n];
        for (int i = 0; i < n; i++)
        {
            var z = Enumerable.Range(0, k).Select(_ => 6 * Gaussian(rng)).ToArray();
            probs[i] = Softmax(z, 1);
            var q = Softmax(z, trueT);
            double u = rng.NextDouble(), acc = 0;
            truth[i] = k - 1;
            for (int c = 0; c < k; c++) if ((acc += q[c]) > u) { truth[i] = c; break; }
        }
        double t = TemperatureScaling.Fit(probs, truth);
        Assert.InRange(t, trueT * 0.95, trueT / 0.95);
        Assert.True(Calibration.NegativeLogLikelihood(probs, truth, t) < Calibration.NegativeLogLikelihood(probs, truth));

        var rescaled = Calibration.Rescale(probs, trueT);
        Assert.True(Calibration.ExpectedCalibrationError(rescaled, truth) < 0.02);
        Assert.True(Calibration.ExpectedCalibrationError(probs, truth) > 0.15);

        var r = Calibrator.Fit(probs, truth, currentTemperature: 2, fitFraction: 0.5, seed: 3);
        Assert.Equal(2, r.PreviousTemperature);
        Assert.InRange(r.Temperature / 2, trueT * 0.93, trueT / 0.93); // the fitted factor multiplies the current temperature
        Assert.True(r.EceAfter < r.EceBefore / 4, $"ECE {r.EceBefore:F4} -> {r.EceAfter:F4}");
        Assert.Empty(r.FitIndices.Intersect(r.EvaluationIndices));
        Assert.Equal(n, r.FitIndices.Count + r.EvaluationIndices.Count);
    }

    [Fact]
    public void Rescaling_probabilities_equals_dividing_the_logits()
    {
        double[] z = [2.0, -1.0, 0.5, 4.0];
        var atOne = Softmax(z, 1);
        var expected = Softmax(z, 3);
        var rescaled = Calibration.Rescale([atOne], 3)[0];
        for (int c = 0; c < z.Length; c++) Assert.Equal(expected[c], rescaled[c], 5);
    }

    [Fact]
    public void Bad_fractions_and_mismatched_inputs_are_rejected()
    {
        var (p, y) = Items(10, 0.8f, 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => Calibrator.Fit(p, y, fitFraction: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Calibrator.Fit(p, y, fitFraction: 0));
        Assert.Throws<ArgumentException>(() => Calibration.ExpectedCalibrationError(p, y[..5]));
        Assert.Throws<ArgumentException>(() => TemperatureScaling.Fit([], []));
    }

    [Fact]
    public void The_report_text_and_json_carry_ece_only_when_known()
    {
        var labelsOnly = ClassificationReport.From([0, 1], [0, 1], ["a", "b"]);
        Assert.DoesNotContain("ECE", labelsOnly.ToText());
        var withEce = labelsOnly with { ExpectedCalibrationError = 0.0421 };
        Assert.Contains("ECE 0.0421", withEce.ToText());
        Assert.Contains("\"ece\": 0.0421", Mien.IO.MienJson.Serialize(withEce.ToSerializable()));
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static float[] Softmax(double[] z, double t)
    {
        double max = z.Max();
        var e = z.Select(v => Math.Exp((v - max) / t)).ToArray();
        return e.Select(v => (float)(v / e.Sum())).ToArray();
    }
}

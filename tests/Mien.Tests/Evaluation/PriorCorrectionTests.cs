using Mien.Evaluation;

namespace Mien.Tests.Evaluation;

public class PriorCorrectionTests
{
    [Fact]
    public void The_estimated_prior_is_the_mean_softmax_and_the_bias_is_centred_minus_tau_log_prior()
    {
        double[][] logits = [[2, 0, 0], [0, 1, 0], [3, 0, 1]];
        var prior = PriorCorrection.EstimatePrior(logits);
        var expected = new double[3];
        foreach (var z in logits)
        {
            double sum = z.Sum(Math.Exp);
            for (int k = 0; k < 3; k++) expected[k] += Math.Exp(z[k]) / sum / logits.Length;
        }
        for (int k = 0; k < 3; k++) Assert.Equal(expected[k], prior[k], 12);

        var bias = PriorCorrection.Bias([0.5, 0.25, 0.25], 1);
        Assert.Equal(0, bias.Sum(), 5);
        Assert.Equal(Math.Log(2), bias[1] - bias[0], 5); // the rarer class gains log(0.5 / 0.25)
        Assert.Equal(bias[1], bias[2]);
        Assert.All(PriorCorrection.Bias([0.5, 0.25, 0.25], 0), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void A_model_biased_towards_a_frequent_class_gets_a_positive_tau_and_an_unbiased_one_none()
    {
        // Two classes; the scores carry an offset of +1.5 for class 0 on top of the evidence, as a network trained
        // on 90 % class 0 learns. Balanced truth: the fit must take part of that offset out.
        var rng = new Random(3);
        var truth = Enumerable.Range(0, 2000).Select(i => i % 2).ToArray();
        double[] Evidence(int t) => t == 0 ? [rng.NextDouble() * 2, 0] : [0, rng.NextDouble() * 2];
        var fair = truth.Select(Evidence).ToArray();
        var skewed = fair.Select(z => new[] { z[0] + 1.5, z[1] }).ToArray();
        double tauSkewed = PriorCorrection.FitTau(skewed, truth, PriorCorrection.EstimatePrior(skewed));
        double tauFair = PriorCorrection.FitTau(fair, truth, PriorCorrection.EstimatePrior(fair));
        Assert.True(tauSkewed >= 0.5, $"tau {tauSkewed}");
        Assert.Equal(0, tauFair);

        var (accuracy, balanced) = PriorCorrection.Accuracies([0, 0, 0, 1], [0, 0, 1, 1], 2);
        Assert.Equal(0.75, accuracy);
        Assert.Equal(0.75, balanced);
        Assert.Equal((0.75, 0.5), PriorCorrection.Accuracies([0, 0, 0, 0], [0, 0, 0, 1], 2)); // all "class 0": right 3 of 4, mean recall (1 + 0) / 2
    }
}

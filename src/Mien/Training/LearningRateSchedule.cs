namespace Mien.Training;

/// <summary>
/// Learning rate as a function of training progress: none (constant), step, cosine, or plateau
/// (reduce when validation loss stops improving), each with an optional linear warm-up.
/// </summary>
public sealed class LearningRateSchedule(TrainingOptions o)
{
    private double _plateauFactor = 1;
    private double _bestLoss = double.MaxValue;
    private int _badEpochs;

    /// <summary>The schedule names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "step", "cosine", "plateau"];

    /// <summary>Rate at a fractional epoch (epoch index + batch fraction).</summary>
    public double At(double epoch)
    {
        double lr = o.LearningRate;
        if (o.WarmupEpochs > 0 && epoch < o.WarmupEpochs) return lr * Math.Max(0.05, epoch / o.WarmupEpochs);
        return o.Schedule switch
        {
            "none" => lr,
            "step" => lr * Math.Pow(o.StepGamma, Math.Floor(epoch / Math.Max(1, o.StepEpochs))),
            "cosine" => o.MinLearningRate + 0.5 * (lr - o.MinLearningRate) *
                        (1 + Math.Cos(Math.PI * Math.Min(1, (epoch - o.WarmupEpochs) / Math.Max(1e-9, o.Epochs - o.WarmupEpochs)))),
            "plateau" => Math.Max(o.MinLearningRate, lr * _plateauFactor),
            _ => throw new ArgumentException($"Unknown schedule '{o.Schedule}'. Known: {string.Join(", ", Names)}."),
        };
    }

    /// <summary>Feeds the epoch's validation loss to the plateau rule.</summary>
    public void Observe(double validationLoss)
    {
        if (o.Schedule != "plateau") return;
        if (validationLoss < _bestLoss - 1e-4) { _bestLoss = validationLoss; _badEpochs = 0; }
        else if (++_badEpochs >= o.PlateauPatience) { _plateauFactor *= o.StepGamma; _badEpochs = 0; }
    }

    /// <summary>The plateau rule's state, for checkpoints.</summary>
    public (double Factor, double Best, int Bad) State => (_plateauFactor, _bestLoss, _badEpochs);

    /// <summary>Puts back a state saved from <see cref="State"/>.</summary>
    public void Restore((double Factor, double Best, int Bad) s) => (_plateauFactor, _bestLoss, _badEpochs) = s;
}

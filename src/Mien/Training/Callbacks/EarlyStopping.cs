namespace Mien.Training;

/// <summary>Stops training when the monitored validation score (TrainingOptions.Monitor) has not improved for <paramref name="patience"/> epochs.</summary>
public sealed class EarlyStopping(int patience) : ITrainingCallback
{
    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; } = patience > 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), "patience must be ≥ 1.");

    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context)
    {
        if (context.EpochsWithoutImprovement >= Patience)
            context.RequestStop($"Early stopping: validation {context.Options.Monitor} has not improved for {context.EpochsWithoutImprovement} epochs " +
                                $"(best {context.BestScore:P2} at epoch {context.BestEpoch}).");
    }
}

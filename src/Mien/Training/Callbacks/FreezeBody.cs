namespace Mien.Training;

/// <summary>
/// Fine-tuning as fastai and Keras users do it: for the first <see cref="Epochs"/> epochs only the new classifier
/// learns (the pretrained body is frozen, so a random head cannot wreck its features), then the whole network trains.
/// Registered by the trainer from <see cref="TrainingOptions.FreezeEpochs"/>.
/// </summary>
public sealed class FreezeBody(int epochs) : ITrainingCallback
{
    /// <summary>Epochs during which only the classifier trains.</summary>
    public int Epochs { get; } = epochs > 0 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), "freeze epochs must be ≥ 1.");

    /// <inheritdoc />
    public void OnEpochStart(TrainingContext context)
    {
        bool frozen = context.Epoch <= Epochs;
        // FreezeFeatures keeps the body frozen for the whole run; nothing to unfreeze then.
        if (context.Options.FreezeFeatures) return;
        foreach (var (name, p) in context.Network.named_parameters())
            if (!name.StartsWith(WeightTransfer.Classifier, StringComparison.Ordinal)) p.requires_grad_(!frozen);
        if (context.Epoch == 1 && frozen) context.Say(Epochs == 1 ? "Epoch 1: only the classifier trains (body frozen); then the whole network." : $"Epochs 1-{Epochs}: only the classifier trains (body frozen); then the whole network.");
        else if (context.Epoch == Epochs + 1) context.Say($"Epoch {context.Epoch}: body unfrozen, the whole network trains.");
    }
}

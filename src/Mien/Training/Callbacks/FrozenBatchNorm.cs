using TorchSharp.Modules;

namespace Mien.Training;

/// <summary>
/// Keeps every batch-norm layer in evaluation mode while the rest trains: its running mean and variance stay those
/// of the pretrained network (a small or one-dataset fine-tuning set would otherwise overwrite them), while its scale
/// and shift still learn. Registered by the trainer from <see cref="TrainingOptions.FreezeBatchNorm"/>.
/// </summary>
public sealed class FrozenBatchNorm : ITrainingCallback
{
    /// <inheritdoc />
    public void OnTrainingStart(TrainingContext context) => context.Say("Batch-norm statistics frozen at the pretrained values.");

    /// <inheritdoc />
    public void OnEpochStart(TrainingContext context)
    {
        foreach (var m in context.Network.modules())
            if (m is BatchNorm2d or BatchNorm1d) m.eval();
    }
}

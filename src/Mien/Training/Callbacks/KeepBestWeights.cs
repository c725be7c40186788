namespace Mien.Training;

/// <summary>
/// Keeps the weights of the epoch with the best monitored validation score (accuracy by default) (Keras' <c>ModelCheckpoint(save_best_only)</c>
/// plus <c>restore_best_weights</c>): saved as the run's best model when there is a run folder, and put back into
/// the network when training ends (unless <see cref="TrainingOptions.RestoreBestWeights"/> is off). Maintains <see cref="TrainingContext.BestEpoch"/> for the other callbacks.
/// </summary>
public sealed class KeepBestWeights : ITrainingCallback
{
    private byte[]? _best;

    /// <inheritdoc />
    public void OnTrainingStart(TrainingContext context)
    {
        // A resumed run continues from the best model its checkpoint kept (best.mien may be from an epoch the kill undid).
        if (context.BestEpoch > 0 && context.Run is { } run && (context.ResumedBestModel ?? run.BestModel) is var path && File.Exists(path))
        {
            using var best = Models.EmotionModel.Load(path);
            _best = Trainer.SaveWeights(best.Network);
        }
    }

    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context)
    {
        var val = context.LastValidation!;
        double score = context.Options.MonitoredScore(val);
        context.IsBestEpoch = score > context.BestScore;
        if (!context.IsBestEpoch) return;
        (context.BestScore, context.BestEpoch) = (score, context.Epoch);
        _best = Trainer.SaveWeights(context.Network);
        if (context.Run is { } run) Trainer.WithMetrics(context.Model, context, val).Save(run.BestModel);
    }

    /// <inheritdoc />
    public void OnTrainingEnd(TrainingContext context)
    {
        if (_best is not null && context.Options.RestoreBestWeights) Trainer.LoadWeights(context.Network, _best);
    }
}

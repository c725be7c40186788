namespace Mien.Training;

/// <summary>
/// Writes a resumable checkpoint after every epoch (model, optimizer, schedule, random state, history); only the
/// newest is kept. <see cref="TrainingOptions.Resume"/> continues from it.
/// </summary>
public sealed class CheckpointWriter : ITrainingCallback
{
    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context)
    {
        if (context.Run is not null) TrainingCheckpoint.Save(context);
    }
}

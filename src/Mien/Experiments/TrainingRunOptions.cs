using Mien.Training;

namespace Mien.Experiments;

/// <summary>How <see cref="TrainingRun"/> splits the data and trains. A dataset's own split (FER2013's train/test) wins over the fractions.</summary>
public sealed record TrainingRunOptions
{
    /// <summary>Share held out for validation when the dataset has no predefined split.</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Share held out for a final test when the dataset has no predefined split (0 = none).</summary>
    public double TestFraction { get; init; }
    /// <summary>Keep each person on one side of the split when subjects are known.</summary>
    public bool GroupBySubject { get; init; } = true;
    /// <summary>Leave out of validation/test the images identical to a training image.</summary>
    public bool DropTrainingDuplicates { get; init; } = true;

    /// <summary>How to train; its <see cref="TrainingOptions.RunDirectory"/> is the run folder (required).</summary>
    public TrainingOptions Training { get; init; } = new();
}

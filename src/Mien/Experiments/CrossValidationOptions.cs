using Mien.Training;

namespace Mien.Experiments;

/// <summary>How <see cref="CrossValidation"/> splits and trains. Defaults: 10 folds, grouped by subject when subjects are known.</summary>
public sealed record CrossValidationOptions
{
    /// <summary>Number of folds (ignored with <see cref="LeaveOneDatasetOut"/>).</summary>
    public int Folds { get; init; } = 10;

    /// <summary>No person on both sides of a fold (when the dataset knows its subjects). False splits random frames: leaks on CK+.</summary>
    public bool GroupBySubject { get; init; } = true;

    /// <summary>
    /// For merged datasets: one fold per dataset, trained on all the others and tested on it (how the model does on
    /// people, cameras and labelling it never saw). <see cref="Folds"/> is then ignored.
    /// </summary>
    public bool LeaveOneDatasetOut { get; init; }

    /// <summary>Leave out of each fold's test side the images identical to one of its training images.</summary>
    public bool DropTrainingDuplicates { get; init; } = true;

    /// <summary>
    /// Networks trained per fold (1 = one). With more, each fold trains this many from the same start with different
    /// seeds (initialisation, shuffling, augmentation; the folds stay those of <see cref="TrainingOptions.Seed"/>) and
    /// is scored on the mean of their probabilities, as <c>mien evaluate --model A --model B</c> scores an ensemble.
    /// Costs that many times the training.
    /// </summary>
    public int Members { get; init; } = 1;

    /// <summary>How every fold trains. Its <see cref="TrainingOptions.RunDirectory"/> is ignored: folds go under <see cref="RunDirectory"/>.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Folder for cv.json and one sub-folder per fold (null = keep nothing on disk).</summary>
    public string? RunDirectory { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Folds < 2 && !LeaveOneDatasetOut) throw new ArgumentException($"folds must be ≥ 2 (got {Folds}).");
        if (Members < 1) throw new ArgumentException($"members must be ≥ 1 (got {Members}).");
        // Averaged weights are kept only when they validate better, and a fold validates on its own test side.
        if (Training.AveragedEpochs > 0) throw new ArgumentException("weight averaging (--swa) is for train: cross-validation scores each fold's last epoch, and choosing the average by the fold's score would leak it.");
        Training.Validate();
    }
}

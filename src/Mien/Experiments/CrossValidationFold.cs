using Mien.Evaluation;
using Mien.Splits;
using Mien.Training;

namespace Mien.Experiments;

/// <summary>One fold of a cross-validation: its split, its score on its held-out side (last epoch), its history and time.</summary>
public sealed record CrossValidationFold(int Index, DataSplit Split, ClassificationReport Report, IReadOnlyList<EpochMetrics> History,
    int BestEpoch, TimeSpan Elapsed);

using Mien.Evaluation;
using Mien.Splits;
using Mien.Training;

namespace Mien.Experiments;

/// <summary>
/// One fold of a cross-validation: its split, its score on its held-out side (last epoch), its history and time. With
/// several members (<see cref="CrossValidationOptions.Members"/>) the score is their ensemble's, the history and best
/// epoch the first member's, and <see cref="MemberReports"/> holds each member's own score.
/// </summary>
public sealed record CrossValidationFold(int Index, DataSplit Split, ClassificationReport Report, IReadOnlyList<EpochMetrics> History,
    int BestEpoch, TimeSpan Elapsed)
{
    /// <summary>Each member's score at its last epoch when the fold trained several networks; empty for one.</summary>
    public IReadOnlyList<ClassificationReport> MemberReports { get; init; } = [];
}

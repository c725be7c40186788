using Mien.Models;

namespace Mien.Evaluation;

/// <summary>
/// What a <see cref="Calibrator"/> fit found: the temperature fitted on one part of the data and the calibration before
/// and after it, measured on the other part only (the fitting part would flatter it).
/// </summary>
public sealed record CalibrationResult
{
    /// <summary>The model's temperature before calibration (1 for a model fresh from training).</summary>
    public required double PreviousTemperature { get; init; }

    /// <summary>The fitted temperature, to store in the model's metadata.</summary>
    public required double Temperature { get; init; }

    /// <summary>The model's logit bias before (null = none).</summary>
    public IReadOnlyList<float>? PreviousLogitBias { get; init; }
    /// <summary>The logit bias to store: the fitted prior correction, or the previous bias when none was fitted.</summary>
    public IReadOnlyList<float>? LogitBias { get; init; }
    /// <summary>The fitted prior-correction strength tau (0 = none needed), or null when none was asked for.</summary>
    public double? PriorCorrection { get; init; }
    /// <summary>The class prior the correction took out (the model's mean prediction on the fitting part), or null.</summary>
    public IReadOnlyList<double>? Prior { get; init; }

    /// <summary>Items the temperature was fitted on, and the disjoint items it was measured on (dataset indices).</summary>
    public required IReadOnlyList<int> FitIndices { get; init; }
    /// <summary>The items ECE and NLL were measured on (never those the temperature was fitted on).</summary>
    public required IReadOnlyList<int> EvaluationIndices { get; init; }

    /// <summary>Top-1 accuracy on the evaluation items after calibration (a temperature alone never changes the winner; a prior correction does).</summary>
    public required double Accuracy { get; init; }
    /// <summary>Top-1 accuracy on the evaluation items before.</summary>
    public required double AccuracyBefore { get; init; }
    /// <summary>Balanced accuracy (mean recall) on the evaluation items after calibration.</summary>
    public required double BalancedAccuracy { get; init; }
    /// <summary>Balanced accuracy on the evaluation items before.</summary>
    public required double BalancedAccuracyBefore { get; init; }

    /// <summary>Expected calibration error before temperature scaling.</summary>
    public required double EceBefore { get; init; }
    /// <summary>Expected calibration error after temperature scaling.</summary>
    public required double EceAfter { get; init; }
    /// <summary>Mean negative log-likelihood before temperature scaling.</summary>
    public required double NllBefore { get; init; }
    /// <summary>Mean negative log-likelihood after temperature scaling.</summary>
    public required double NllAfter { get; init; }
    /// <summary>Reliability diagram bins before temperature scaling.</summary>
    public required IReadOnlyList<ReliabilityBin> BinsBefore { get; init; }
    /// <summary>Reliability diagram bins after temperature scaling.</summary>
    public required IReadOnlyList<ReliabilityBin> BinsAfter { get; init; }

    /// <summary>A copy of <paramref name="model"/> that predicts with the fitted temperature and bias (save it to keep it).</summary>
    public EmotionModel ApplyTo(EmotionModel model) => model.WithMetadata(model.Metadata with { Temperature = Temperature, LogitBias = LogitBias });

    /// <summary>A JSON-friendly view.</summary>
    public object ToSerializable() => new
    {
        previousTemperature = PreviousTemperature, temperature = Temperature, fitCount = FitIndices.Count, evaluationCount = EvaluationIndices.Count,
        accuracyBefore = AccuracyBefore, accuracy = Accuracy, balancedAccuracyBefore = BalancedAccuracyBefore, balancedAccuracy = BalancedAccuracy,
        priorCorrection = PriorCorrection, prior = Prior, previousLogitBias = PreviousLogitBias, logitBias = LogitBias, eceBefore = EceBefore, eceAfter = EceAfter, nllBefore = NllBefore, nllAfter = NllAfter,
        binsBefore = BinsBefore, binsAfter = BinsAfter,
    };
}

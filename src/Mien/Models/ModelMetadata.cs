using System.Text.Json.Serialization;

namespace Mien.Models;

/// <summary>
/// Everything needed to use a trained model correctly, stored inside the model file so that it is
/// self-describing: label encoding, input size, normalisation, face-crop settings, provenance.
/// </summary>
public sealed record ModelMetadata
{
    /// <summary>File format version; bumped on incompatible changes.</summary>
    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = 1;
    /// <summary>The Mien version that wrote the file.</summary>
    [JsonPropertyName("mien_version")] public string MienVersion { get; init; } = typeof(ModelMetadata).Assembly.GetName().Version?.ToString(3) ?? "0";
    /// <summary>The layer spec the network was built from.</summary>
    [JsonPropertyName("spec")] public required ModelSpec Spec { get; init; }

    /// <summary>Label encoding: output index i is <c>ClassNames[i]</c>.</summary>
    [JsonPropertyName("class_names")] public required IReadOnlyList<string> ClassNames { get; init; }
    /// <summary>Side of the square grey input, in pixels.</summary>
    [JsonPropertyName("input_size")] public int InputSize { get; init; } = 48;

    /// <summary>Pixel normalisation, computed on the training split only: x = (p/255 - mean) / std.</summary>
    [JsonPropertyName("mean")] public float Mean { get; init; }
    /// <summary>Standard deviation of the training pixels (0..1 scale).</summary>
    [JsonPropertyName("std")] public float Std { get; init; } = 1;

    /// <summary>Margin added around a detected face box on each side, as a fraction of its size, to match the training crops.</summary>
    [JsonPropertyName("face_margin")] public double FaceMargin { get; init; } = 0.02;
    /// <summary>How faces are prepared for this model, in words.</summary>
    [JsonPropertyName("preprocessing")] public string Preprocessing { get; init; } = "grey (OpenCV BGR2GRAY); face: square around the box plus face_margin, edges replicated; resize: area when shrinking, bilinear when enlarging (Faces.FacePreprocessor); x = (p/255 - mean)/std";

    /// <summary>
    /// Temperature scaling: probabilities are softmax(logits / T). 1 = as trained; <c>mien calibrate</c> fits it so that
    /// confidences match accuracy. Model files written before it existed load with 1.
    /// </summary>
    [JsonPropertyName("temperature")] public double Temperature { get; init; } = 1;

    /// <summary>
    /// Prior correction, one value per class added to the logits before the temperature: probabilities are
    /// softmax((logits + bias) / T). <c>mien calibrate --balance</c> sets it to -tau * log(prior), which takes out part of
    /// the training data's class mix (FER's many neutral and few disgust faces) for faces whose mix differs. Null = none.
    /// </summary>
    [JsonPropertyName("logit_bias")] public IReadOnlyList<float>? LogitBias { get; init; }

    /// <summary>The dataset(s) it was trained on.</summary>
    [JsonPropertyName("trained_on")] public string? TrainedOn { get; init; }
    /// <summary>The training settings, by name.</summary>
    [JsonPropertyName("training")] public Dictionary<string, string> Training { get; init; } = [];
    /// <summary>Validation scores at the kept epoch, by name.</summary>
    [JsonPropertyName("metrics")] public Dictionary<string, double> Metrics { get; init; } = [];
    /// <summary>When the model was written.</summary>
    [JsonPropertyName("created_utc")] public DateTime CreatedUtc { get; init; } = DateTime.UtcNow;
}

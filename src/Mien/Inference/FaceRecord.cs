namespace Mien.Inference;

/// <summary>A face as the prediction JSON writes it (see <see cref="PredictionRecords"/>).</summary>
public sealed record FaceRecord(BoxRecord Box, string Found, string Emotion, float Confidence, IReadOnlyDictionary<string, float> Probabilities);

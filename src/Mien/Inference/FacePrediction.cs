using Mien.Faces;

namespace Mien.Inference;

/// <summary>One face: where it is, how it was found, the probability of every emotion, and the most likely one.</summary>
public sealed record FacePrediction(FaceBox Box, string Emotion, float Confidence, IReadOnlyDictionary<string, float> Probabilities,
    FaceSource FaceSource = FaceSource.Detected);

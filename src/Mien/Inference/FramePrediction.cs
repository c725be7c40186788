namespace Mien.Inference;

/// <summary>The faces found in one video frame. <paramref name="Frame"/> counts from 0; time is from the stream's frame rate.</summary>
public sealed record FramePrediction(int Frame, double TimeSeconds, IReadOnlyList<FacePrediction> Faces);

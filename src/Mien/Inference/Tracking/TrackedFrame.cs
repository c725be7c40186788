namespace Mien.Inference.Tracking;

/// <summary>
/// A classified video frame with its faces by track. <paramref name="Detected"/>: the face detector ran on it (else
/// the boxes come from the motion model); <paramref name="Cut"/>: it starts a new shot, so every earlier track ended.
/// </summary>
public sealed record TrackedFrame(int Frame, double TimeSeconds, IReadOnlyList<TrackedFace> Faces, bool Detected, bool Cut);

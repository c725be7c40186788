namespace Mien.Inference;

/// <summary>One video frame's prediction as JSON (see <see cref="PredictionRecords"/>).</summary>
public sealed record FrameRecord(int Frame, double Time, IReadOnlyList<FaceRecord> Faces);

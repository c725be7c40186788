namespace Mien.Inference;

/// <summary>One image's prediction as JSON: its faces, or the reason it could not be read (see <see cref="PredictionRecords"/>).</summary>
public sealed record ImageRecord(string File, int Width, int Height, string? Error, IReadOnlyList<FaceRecord> Faces);

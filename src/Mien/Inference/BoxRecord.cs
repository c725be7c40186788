namespace Mien.Inference;

/// <summary>A face box in the prediction JSON: pixels of the original image.</summary>
public sealed record BoxRecord(int X, int Y, int Width, int Height);

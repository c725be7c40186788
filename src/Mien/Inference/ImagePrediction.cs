namespace Mien.Inference;

/// <summary>The faces found in one image, or the reason the image could not be processed.</summary>
public sealed record ImagePrediction(string Source, int Width, int Height, IReadOnlyList<FacePrediction> Faces, string? Error = null)
{
    /// <summary>False when the image could not be read (see <see cref="Error"/>).</summary>
    public bool Succeeded => Error is null;

    /// <summary>A result for an image that could not be processed.</summary>
    public static ImagePrediction Failed(string source, string error) => new(source, 0, 0, [], error);
}

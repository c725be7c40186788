using OpenCvSharp;

namespace Mien.Faces;

// The OpenCV half of FaceBox, compiled into Mien only (Mien.Onnx has no OpenCV).
public readonly partial record struct FaceBox
{
    /// <summary>The box as an OpenCV rectangle.</summary>
    public Rect ToRect() => new(X, Y, Width, Height);
}

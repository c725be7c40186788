using OpenCvSharp;

namespace Mien.Faces;

/// <summary>Finds every face in an image. Implementations are safe to call from several threads at once.</summary>
public interface IFaceDetector : IDisposable
{
    /// <summary>
    /// Detects faces in an 8-bit BGR (3-channel), BGRA (4-channel) or gray (1-channel) image, which is not modified.
    /// Returns boxes in full-resolution coordinates, sorted left-to-right, then top-to-bottom.
    /// </summary>
    IReadOnlyList<FaceBox> Detect(Mat image);
}

namespace Mien.Faces;

/// <summary>A detected face in the coordinates of the full-resolution input image.</summary>
/// <param name="X">Left edge in pixels.</param>
/// <param name="Y">Top edge in pixels.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Score">
/// Detector confidence. For cascades it is the number of raw detections merged into this box (OpenCV's
/// "neighbors"; larger is surer, compare only within one cascade); for YuNet and tiny it is the network's score in [0, 1].
/// </param>
/// <remarks>DNN detectors may report boxes that extend slightly past the image edges; the crop handles that.</remarks>
public readonly partial record struct FaceBox(int X, int Y, int Width, int Height, double Score);

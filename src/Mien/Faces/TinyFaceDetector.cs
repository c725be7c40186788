using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Mien.Faces;

/// <summary>
/// A small CNN face detector, selected as "tiny": face-api.js's TinyFaceDetector (a Tiny-YOLOv2 with depthwise-separable
/// convolutions, 190 KB of 8-bit weights, MIT licence; models/detectors/README.md), run by ONNX Runtime, which runs this
/// network 2-3x faster than LibTorch on two cores. Its cost follows <see cref="FaceDetectorOptions.MinFaceSize"/>: on
/// a 640x480 photo about half the haar-alt cascade's time at 48 px, under an eighth at 80 px (docs/BENCHMARKS.md, "Face
/// detectors"). The network (<see cref="TinyFaceNetwork"/>) is embedded in Mien.dll, so it needs no file and works offline.
/// </summary>
internal sealed class TinyFaceDetector : IFaceDetector
{
    public const string Name = TinyFaceNetwork.Name;

    private readonly TinyFaceNetwork network;

    public TinyFaceDetector(FaceDetectorOptions options) => network = new TinyFaceNetwork(options);

    public static bool Handles(string detector) => string.Equals(detector, Name, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc cref="TinyFaceNetwork.InputSide"/>
    internal int InputSide(int width, int height) => network.InputSide(width, height);

    public IReadOnlyList<FaceBox> Detect(Mat image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty()) throw new ArgumentException("The image is empty.", nameof(image));
        int side = network.InputSide(image.Width, image.Height);
        // Scaled so the longer side fills the input, as face-api.js does.
        using var bgr = DetectionImage.Prepare(image, side, color: true, out double scale);
        if (Math.Max(image.Width, image.Height) < side) scale = (double)side / Math.Max(image.Width, image.Height);
        using var fitted = scale > 1 ? bgr.Resize(new Size((int)Math.Round(image.Width * scale), (int)Math.Round(image.Height * scale)), 0, 0, InterpolationFlags.Linear) : bgr.Clone();
        return network.Detect(fitted.Width, fitted.Height, side, scale, (y, row) => Marshal.Copy(fitted.Ptr(y), row, 0, row.Length));
    }

    public void Dispose() => network.Dispose();
}

using OpenCvSharp;

namespace Mien.Faces;

/// <summary>The OpenCV step shared by all detectors: shrinking the input before detection (the box arithmetic is <see cref="BoxGeometry"/>).</summary>
internal static class DetectionImage
{
    /// <summary>
    /// Returns a new 8-bit image (gray, or BGR when <paramref name="color"/>), downscaled so its longer side is at
    /// most <paramref name="maxSide"/>; <paramref name="scale"/> is detection size / full size (at most 1).
    /// With a <paramref name="window"/> (a cascade's detection window side) and a <paramref name="minFace"/>, it is also
    /// shrunk until the smallest face asked for just fills the window: detecting at a finer resolution only costs time.
    /// </summary>
    public static Mat Prepare(Mat image, int maxSide, bool color, out double scale, int window = 0, int minFace = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty()) throw new ArgumentException("The image is empty.", nameof(image));
        if (image.Depth() != MatType.CV_8U || image.Channels() is not (1 or 3 or 4))
            throw new ArgumentException($"Expected an 8-bit image with 1, 3 or 4 channels, got {image.Type()}.", nameof(image));

        int longer = Math.Max(image.Width, image.Height);
        scale = maxSide > 0 && longer > maxSide ? (double)maxSide / longer : 1.0;
        if (window > 0 && minFace > window) scale = Math.Min(scale, (double)window / minFace);

        // Convert first, then shrink: grey and colour copies of one photo then give identical detection inputs.
        var code = (image.Channels(), color) switch
        {
            (1, true) => ColorConversionCodes.GRAY2BGR,
            (4, true) => ColorConversionCodes.BGRA2BGR,
            (3, false) => ColorConversionCodes.BGR2GRAY,
            (4, false) => ColorConversionCodes.BGRA2GRAY,
            _ => (ColorConversionCodes?)null,
        };
        var converted = code is { } c ? image.CvtColor(c) : null;
        if (scale >= 1.0) return converted ?? image.Clone(); // always a new Mat: callers modify it in place
        using (converted)
        {
            // INTER_AREA avoids aliasing when shrinking.
            return (converted ?? image).Resize(new Size(Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale))), 0, 0, InterpolationFlags.Area);
        }
    }

    /// <summary>Maps a box found at detection scale back to full resolution.</summary>
    public static FaceBox ToFullResolution(Rect r, double scale, double score) => BoxGeometry.ToFullResolution(r.X, r.Y, r.Width, r.Height, scale, score);
}

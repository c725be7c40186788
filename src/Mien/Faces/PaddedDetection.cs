using OpenCvSharp;

namespace Mien.Faces;

/// <summary>
/// Detection on a copy of the image with a border on every side. In a crop cut tightly around the face (film-frame
/// crops, dataset faces) the box a cascade would draw reaches past the crop's edges (on padded 143x181 crops it was
/// 0.9-1.2 times their height), so no detection window fits; given room around the face, it does.
/// </summary>
internal static class PaddedDetection
{
    /// <summary>
    /// Border on each side, as a fraction of that side, replicating the edge pixels. On tight 143x181 crops of real
    /// faces (20 of astronaut.png's, 981 of CK+48) that haar-alt found in 0 of 1,001 as they were, replicate 0.4 found
    /// 982; replicate 0.3/0.5 found 981/978, a grey (128) border at 0.3/0.4/0.5 973/942/931. On crops 10 % looser and
    /// tighter it came within 3 of the best setting: 999 vs 1,000 (replicate 0.3), 869 vs 872 (replicate 0.5).
    /// </summary>
    public const double Fraction = 0.4;

    /// <summary>
    /// Faces found on the padded copy, in the image's own coordinates and clipped to it. A box centred in the border
    /// is dropped: it was made of replicated pixels. With <paramref name="maxSide"/> &gt; 0 a larger image is shrunk first
    /// so the padded copy is no larger than the detector would shrink it to anyway (the retry looks for faces that fill
    /// the frame, and a padded 50-megapixel photo would take half a gigabyte).
    /// </summary>
    public static IReadOnlyList<FaceBox> Detect(IFaceDetector detector, Mat image, int maxSide, double fraction = Fraction)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty()) throw new ArgumentException("The image is empty.", nameof(image));
        double grown = 1 + 2 * fraction;
        double scale = maxSide > 0 && Math.Max(image.Width, image.Height) * grown > maxSide ? maxSide / (Math.Max(image.Width, image.Height) * grown) : 1.0;
        using var small = scale < 1
            ? image.Resize(new Size(Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale))), 0, 0, InterpolationFlags.Area)
            : null;
        var source = small ?? image;
        int px = (int)Math.Round(source.Width * fraction), py = (int)Math.Round(source.Height * fraction);
        using var padded = new Mat();
        Cv2.CopyMakeBorder(source, padded, py, py, px, px, BorderTypes.Replicate);

        var bounds = new Rect(0, 0, image.Width, image.Height);
        var boxes = new List<FaceBox>();
        foreach (var b in detector.Detect(padded))
        {
            var full = DetectionImage.ToFullResolution(new Rect(b.X - px, b.Y - py, b.Width, b.Height), scale, b.Score);
            double cx = full.X + full.Width / 2.0, cy = full.Y + full.Height / 2.0;
            if (cx < 0 || cy < 0 || cx >= image.Width || cy >= image.Height) continue;
            var inside = full.ToRect() & bounds;
            boxes.Add(new FaceBox(inside.X, inside.Y, inside.Width, inside.Height, b.Score));
        }
        return boxes;
    }
}

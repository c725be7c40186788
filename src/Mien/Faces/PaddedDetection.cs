namespace Mien.Faces;

/// <summary>
/// Detection on a copy of the image with a border on every side. In a crop cut tightly around the face (film-frame
/// crops, dataset faces) the box a cascade would draw reaches past the crop's edges (on padded 143x181 crops it was
/// 0.9-1.2 times their height), so no detection window fits; given room around the face, it does. This half has no
/// image types (Mien.Onnx compiles it); PaddedDetection.OpenCv.cs pads an OpenCV image.
/// </summary>
internal static partial class PaddedDetection
{
    /// <summary>
    /// Border on each side, as a fraction of that side, replicating the edge pixels. On tight 143x181 crops of real
    /// faces (20 of astronaut.png's, 981 of CK+48) that haar-alt found in 0 of 1,001 as they were, replicate 0.4 found
    /// 982; replicate 0.3/0.5 found 981/978, a grey (128) border at 0.3/0.4/0.5 973/942/931. On crops 10 % looser and
    /// tighter it came within 3 of the best setting: 999 vs 1,000 (replicate 0.3), 869 vs 872 (replicate 0.5).
    /// </summary>
    public const double Fraction = 0.4;

    /// <summary>
    /// How to pad an image of this size: with <paramref name="maxSide"/> &gt; 0 a larger image is shrunk first (by
    /// <c>Scale</c>, to <c>Width</c> x <c>Height</c>) so the padded copy is no larger than the detector would shrink it to
    /// anyway (the retry looks for faces that fill the frame, and a padded 50-megapixel photo would take half a
    /// gigabyte); then <c>PadX</c> columns and <c>PadY</c> rows of border go on each side.
    /// </summary>
    public static (double Scale, int Width, int Height, int PadX, int PadY) Plan(int width, int height, int maxSide, double fraction = Fraction)
    {
        double grown = 1 + 2 * fraction;
        double scale = maxSide > 0 && Math.Max(width, height) * grown > maxSide ? maxSide / (Math.Max(width, height) * grown) : 1.0;
        int w = scale < 1 ? Math.Max(1, (int)Math.Round(width * scale)) : width, h = scale < 1 ? Math.Max(1, (int)Math.Round(height * scale)) : height;
        return (scale, w, h, (int)Math.Round(w * fraction), (int)Math.Round(h * fraction));
    }

    /// <summary>
    /// Boxes found on the padded copy, in the image's own coordinates and clipped to it. A box centred in the border is
    /// dropped: it was made of replicated pixels.
    /// </summary>
    public static IReadOnlyList<FaceBox> MapBack(IEnumerable<FaceBox> found, (double Scale, int Width, int Height, int PadX, int PadY) plan, int width, int height)
    {
        var bounds = new FaceBox(0, 0, width, height, 0);
        var boxes = new List<FaceBox>();
        foreach (var b in found)
        {
            var full = BoxGeometry.ToFullResolution(b.X - plan.PadX, b.Y - plan.PadY, b.Width, b.Height, plan.Scale, b.Score);
            double cx = full.X + full.Width / 2.0, cy = full.Y + full.Height / 2.0;
            if (cx < 0 || cy < 0 || cx >= width || cy >= height) continue;
            boxes.Add(BoxGeometry.Intersect(full, bounds, b.Score));
        }
        return boxes;
    }
}

using OpenCvSharp;

namespace Mien.Faces;

// The OpenCV half of PaddedDetection (Mien only).
internal static partial class PaddedDetection
{
    /// <summary>Faces found on a padded copy of <paramref name="image"/> (see <see cref="Plan"/> and <see cref="MapBack"/>).</summary>
    public static IReadOnlyList<FaceBox> Detect(IFaceDetector detector, Mat image, int maxSide, double fraction = Fraction)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty()) throw new ArgumentException("The image is empty.", nameof(image));
        var plan = Plan(image.Width, image.Height, maxSide, fraction);
        using var small = plan.Scale < 1 ? image.Resize(new Size(plan.Width, plan.Height), 0, 0, InterpolationFlags.Area) : null;
        using var padded = new Mat();
        Cv2.CopyMakeBorder(small ?? image, padded, plan.PadY, plan.PadY, plan.PadX, plan.PadX, BorderTypes.Replicate);
        return MapBack(detector.Detect(padded), plan, image.Width, image.Height);
    }
}

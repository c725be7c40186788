using OpenCvSharp;

namespace Mien.Faces;

/// <summary>
/// The one way a face becomes the grey square a model reads, for training data, evaluation and prediction alike:
/// grey (BGR/BGRA weights of OpenCV), then resized to the model's side with area averaging when shrinking and
/// bilinear when enlarging. A face in a larger image is first cut as a square around its box plus the model's margin
/// (<see cref="FaceCropper"/>). Keeping this in one place is what makes a face score the same in <c>mien evaluate</c>
/// and <c>mien predict</c> (a test checks it).
/// </summary>
public static class FacePreprocessor
{
    /// <summary>A whole image taken as one face (a dataset's face crop, <c>--no-detect</c>), at <paramref name="side"/> x side.</summary>
    public static byte[] Whole(Mat image, int side)
    {
        using var gray = ToGray(image);
        using var resized = Resize(gray, side);
        return FaceCropper.ToGrayBytes(resized);
    }

    /// <summary>The face in <paramref name="box"/>, cut square with the margin of <paramref name="options"/> (optionally levelled).</summary>
    public static byte[] Crop(Mat image, FaceBox box, FaceCropOptions options, double rollDegrees = 0)
    {
        using var face = FaceCropper.Crop(image, box, options, rollDegrees);
        return FaceCropper.ToGrayBytes(face);
    }

    /// <summary>Area averaging when shrinking (no aliasing); bilinear when enlarging, closer to a camera's blur than area's blocks.</summary>
    public static Mat Resize(Mat gray, int side) => Resize(gray, side, side);

    internal static Mat Resize(Mat gray, int width, int height)
    {
        if (gray.Width == width && gray.Height == height) return gray.Clone();
        var resized = new Mat();
        Cv2.Resize(gray, resized, new Size(width, height), 0, 0, gray.Width > width ? InterpolationFlags.Area : InterpolationFlags.Linear);
        return resized;
    }

    /// <summary>A grey copy of an 8-bit 1/3/4-channel image.</summary>
    public static Mat ToGray(Mat image) => FaceCropper.GrayRegion(image, new Rect(0, 0, image.Width, image.Height));
}

using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Mien.Faces;

/// <summary>Cuts detected faces out as the square grayscale patches emotion models take.</summary>
public static class FaceCropper
{
    /// <summary>
    /// Returns a new 8-bit single-channel square crop of <paramref name="box"/> plus the margin, resized to the
    /// output size. Parts of the square outside the image are filled by replicating the edge pixels, so a face at
    /// the border keeps its position and aspect ratio instead of being stretched. A non-zero
    /// <paramref name="rollDegrees"/> (see <see cref="EyeAligner"/>) rotates the face about the box centre first, so
    /// its eyes come out level.
    /// </summary>
    /// <exception cref="ArgumentException">The image is not 8-bit 1/3/4-channel, or the box misses the image.</exception>
    public static Mat Crop(Mat image, FaceBox box, FaceCropOptions? options = null, double rollDegrees = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new FaceCropOptions();
        if (options.OutputSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.OutputSize, "OutputSize must be >= 1.");
        if (options.Margin is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(options), options.Margin, "Margin must be in [0, 2].");
        if (image.Empty()) throw new ArgumentException("The image is empty.", nameof(image));
        if (image.Depth() != MatType.CV_8U || image.Channels() is not (1 or 3 or 4))
            throw new ArgumentException($"Expected an 8-bit image with 1, 3 or 4 channels, got {image.Type()}.", nameof(image));
        if (box.Width <= 0 || box.Height <= 0) throw new ArgumentException($"Empty face box {box}.", nameof(box));
        if (!double.IsFinite(rollDegrees)) throw new ArgumentOutOfRangeException(nameof(rollDegrees), rollDegrees, "Must be a finite angle.");

        // Square around the box centre: models expect square faces, and DNN boxes need not be square.
        int side = Math.Max(1, (int)Math.Round(Math.Max(box.Width, box.Height) * (1 + 2 * options.Margin)));
        double cx = box.X + box.Width / 2.0, cy = box.Y + box.Height / 2.0;
        if (new Rect((int)Math.Round(cx - side / 2.0), (int)Math.Round(cy - side / 2.0), side, side) is var square
            && (square & new Rect(0, 0, image.Width, image.Height)) is { Width: <= 0 } or { Height: <= 0 })
            throw new ArgumentException($"Face box {box} lies outside the {image.Width}x{image.Height} image.", nameof(box));

        using var face = rollDegrees == 0 ? GraySquare(image, cx, cy, side) : LevelledSquare(image, cx, cy, side, rollDegrees);
        return FacePreprocessor.Resize(face, options.OutputSize);
    }

    /// <summary>The grey side x side square centred at (cx, cy), edge pixels replicated where it leaves the image.</summary>
    private static Mat GraySquare(Mat image, double cx, double cy, int side)
    {
        var square = new Rect((int)Math.Round(cx - side / 2.0), (int)Math.Round(cy - side / 2.0), side, side);
        var inside = square & new Rect(0, 0, image.Width, image.Height);
        // Convert only the region of interest, not the whole photo.
        using var gray = GrayRegion(image, inside);
        var padded = new Mat();
        Cv2.CopyMakeBorder(gray, padded, inside.Y - square.Y, square.Bottom - inside.Bottom,
                           inside.X - square.X, square.Right - inside.Right, BorderTypes.Replicate);
        return padded;
    }

    /// <summary>A new grey copy of <paramref name="region"/> of an 8-bit 1/3/4-channel image.</summary>
    internal static Mat GrayRegion(Mat image, Rect region)
    {
        using var roi = new Mat(image, region);
        return image.Channels() switch
        {
            3 => roi.CvtColor(ColorConversionCodes.BGR2GRAY),
            4 => roi.CvtColor(ColorConversionCodes.BGRA2GRAY),
            _ => roi.Clone(),
        };
    }

    /// <summary>The square rotated by <paramref name="degrees"/> (counter-clockwise on screen) about its centre.</summary>
    private static Mat LevelledSquare(Mat image, double cx, double cy, int side, double degrees)
    {
        // Rotate a larger square so the corners of the result never reach outside what was cut (side x 1.5 covers 30°+).
        int big = (int)Math.Ceiling(side * 1.5);
        using var around = GraySquare(image, cx, cy, big);
        using var rotation = Cv2.GetRotationMatrix2D(new Point2f(big / 2f, big / 2f), degrees, 1.0);
        using var rotated = new Mat();
        Cv2.WarpAffine(around, rotated, rotation, new Size(big, big), InterpolationFlags.Linear, BorderTypes.Replicate);
        int offset = (big - side) / 2;
        return new Mat(rotated, new Rect(offset, offset, side, side)).Clone();
    }

    /// <summary>Pixels of an 8-bit single-channel image, row-major, without row padding.</summary>
    public static byte[] ToGrayBytes(Mat gray)
    {
        ArgumentNullException.ThrowIfNull(gray);
        if (gray.Type() != MatType.CV_8UC1)
            throw new ArgumentException($"Expected an 8-bit single-channel image, got {gray.Type()}.", nameof(gray));
        int rows = gray.Rows, cols = gray.Cols;
        var bytes = new byte[rows * cols];
        // A sub-matrix view has a row stride larger than its width, so copy row by row unless it is contiguous.
        if (gray.IsContinuous())
        {
            if (bytes.Length > 0) Marshal.Copy(gray.Data, bytes, 0, bytes.Length);
        }
        else
        {
            for (int r = 0; r < rows; r++) Marshal.Copy(gray.Ptr(r), bytes, r * cols, cols);
        }
        return bytes;
    }
}

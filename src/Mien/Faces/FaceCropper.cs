using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Mien.Faces;

/// <summary>Cuts detected faces out as the square grayscale patches emotion models take.</summary>
public static class FaceCropper
{
    /// <summary>
    /// Returns a new 8-bit single-channel square crop of <paramref name="box"/> plus the margin, resized to the
    /// output size. Parts of the square outside the image are filled by replicating the edge pixels, so a face at
    /// the border keeps its position and aspect ratio instead of being stretched.
    /// </summary>
    /// <exception cref="ArgumentException">The image is not 8-bit 1/3/4-channel, or the box misses the image.</exception>
    public static Mat Crop(Mat image, FaceBox box, FaceCropOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new FaceCropOptions();
        if (options.OutputSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.OutputSize, "OutputSize must be >= 1.");
        if (options.Margin is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(options), options.Margin, "Margin must be in [0, 2].");
        if (image.Empty()) throw new ArgumentException("The image is empty.", nameof(image));
        if (image.Depth() != MatType.CV_8U || image.Channels() is not (1 or 3 or 4))
            throw new ArgumentException($"Expected an 8-bit image with 1, 3 or 4 channels, got {image.Type()}.", nameof(image));
        if (box.Width <= 0 || box.Height <= 0) throw new ArgumentException($"Empty face box {box}.", nameof(box));

        // Square around the box centre: models expect square faces, and DNN boxes need not be square.
        int side = Math.Max(1, (int)Math.Round(Math.Max(box.Width, box.Height) * (1 + 2 * options.Margin)));
        int x = (int)Math.Round(box.X + box.Width / 2.0 - side / 2.0);
        int y = (int)Math.Round(box.Y + box.Height / 2.0 - side / 2.0);
        var square = new Rect(x, y, side, side);
        var inside = square & new Rect(0, 0, image.Width, image.Height);
        if (inside.Width <= 0 || inside.Height <= 0)
            throw new ArgumentException($"Face box {box} lies outside the {image.Width}x{image.Height} image.", nameof(box));

        // Convert only the region of interest, not the whole photo.
        using var roi = new Mat(image, inside);
        using var gray = image.Channels() switch
        {
            3 => roi.CvtColor(ColorConversionCodes.BGR2GRAY),
            4 => roi.CvtColor(ColorConversionCodes.BGRA2GRAY),
            _ => roi.Clone(),
        };
        using var padded = new Mat();
        Cv2.CopyMakeBorder(gray, padded, inside.Y - square.Y, square.Bottom - inside.Bottom,
                           inside.X - square.X, square.Right - inside.Right, BorderTypes.Replicate);

        // INTER_AREA averages when shrinking (no aliasing); it degrades to nearest-like blocks when enlarging,
        // where bilinear looks closer to a camera's own blur.
        var interpolation = side >= options.OutputSize ? InterpolationFlags.Area : InterpolationFlags.Linear;
        return padded.Resize(new Size(options.OutputSize, options.OutputSize), 0, 0, interpolation);
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

using MetadataExtractor.Util;
using OpenCvSharp;

namespace Mien.Data;

/// <summary>
/// Decodes PNG, JPEG, BMP, TIFF (8/16-bit, grey or colour) with OpenCV and returns 8-bit greyscale.
/// Throws <see cref="InvalidDataException"/> with a reason for anything that is not a whole, sane image.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes to an 8-bit single-channel Mat (caller disposes).</summary>
    public static Mat DecodeGray(byte[] bytes) => Decode(bytes, gray: true);

    /// <summary>Decodes to 8-bit BGR (or grey when the file is grey) for detection and drawing (caller disposes).</summary>
    public static Mat DecodeColor(byte[] bytes) => Decode(bytes, gray: false);

    /// <summary>
    /// Decodes to 8-bit BGR (or grey) with a pixel limit of the caller's (a service's, say) instead of the process-wide
    /// one; the header is checked before decoding where the format tells its size.
    /// </summary>
    public static Mat DecodeColor(byte[] bytes, long maxPixels) => Decode(bytes, gray: false, maxPixels);

    /// <summary>Width and height from the header of a PNG, JPEG, BMP, GIF or TIFF, without decoding; null when the header does not say.</summary>
    public static (long Width, long Height)? ReadSize(ReadOnlySpan<byte> bytes) => ImageHeader.TryReadSize(bytes);

    /// <inheritdoc cref="ReadSize(ReadOnlySpan{byte})"/>
    /// <remarks>Reads the array in place; the span overload copies it first (a TIFF's directory can be anywhere in the file).</remarks>
    public static (long Width, long Height)? ReadSize(byte[] bytes) => ImageHeader.TryReadSize(bytes);

    /// <summary>
    /// The image format that the first bytes announce (png, jpeg, bmp, gif, tiff, webp), whatever a file name or a
    /// Content-Type claims; null for anything else (text, an archive...).
    /// </summary>
    public static string? SniffFormat(ReadOnlySpan<byte> bytes) => ImageHeader.Detect(bytes) switch
    {
        FileType.Png => "png",
        FileType.Jpeg => "jpeg",
        FileType.Bmp when ImageHeader.IsWindowsBitmap(bytes) => "bmp",
        FileType.Gif => "gif",
        FileType.WebP => "webp",
        _ when ImageHeader.IsTiff(bytes) => "tiff",
        _ => null,
    };

    /// <summary>Reads and decodes a file; errors name the file.</summary>
    public static Mat ReadColor(string path) => Read(path, gray: false);

    /// <summary>Reads and decodes a file as greyscale; errors name the file.</summary>
    public static Mat ReadGray(string path) => Read(path, gray: true);

    private static Mat Read(string path, bool gray)
    {
        byte[] bytes = ImageFile.ReadBytes(path);
        try { return Decode(bytes, gray); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{path}': {e.Message}", e); }
    }

    private static Mat Decode(byte[] bytes, bool gray) => Decode(bytes, gray, ImageLimits.MaxPixels);

    private static Mat Decode(byte[] bytes, bool gray, long max)
    {
        ImageFile.CheckBeforeDecoding(bytes, max);

        Mat raw;
        // Not Unchanged, which skips the EXIF orientation (phone photos would arrive sideways): AnyDepth keeps
        // 16-bit scans, AnyColor keeps grey files grey.
        try { raw = Cv2.ImDecode(bytes, ImreadModes.AnyColor | ImreadModes.AnyDepth); }
        catch (OpenCVException e) { throw new InvalidDataException($"not a decodable image ({e.Message})", e); }
        if (raw.Empty()) { raw.Dispose(); throw new InvalidDataException("not a decodable image (unknown format or corrupt data)"); }
        if ((long)raw.Width * raw.Height > max)
        {
            raw.Dispose();
            throw new InvalidDataException($"image is over the {max:N0}-pixel limit");
        }
        return To8Bit(raw, gray);
    }

    private static Mat To8Bit(Mat raw, bool gray)
    {
        Mat m = raw;
        if (m.Depth() != MatType.CV_8U)
        {
            // 16-bit scans and float TIFFs: scale into 0..255 rather than clipping.
            double scale = m.Depth() == MatType.CV_16U ? 1.0 / 257 : m.Depth() == MatType.CV_32F || m.Depth() == MatType.CV_64F ? 255 : 1;
            var converted = new Mat();
            m.ConvertTo(converted, MatType.CV_8U, scale);
            m.Dispose();
            m = converted;
        }
        int channels = m.Channels();
        if (channels == 1) return m;
        var result = new Mat();
        if (gray) Cv2.CvtColor(m, result, channels == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
        else if (channels == 4) Cv2.CvtColor(m, result, ColorConversionCodes.BGRA2BGR);
        else { result.Dispose(); return m; }
        m.Dispose();
        return result;
    }

    /// <summary>A grey image resized as every face is (<see cref="Faces.FacePreprocessor"/>), as row-major bytes.</summary>
    public static byte[] ResizeToBytes(Mat gray, int width, int height)
    {
        using var resized = Faces.FacePreprocessor.Resize(gray, width, height);
        return Faces.FaceCropper.ToGrayBytes(resized);
    }
}

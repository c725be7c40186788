using System.Runtime.InteropServices;
using Mien.Data;
using SkiaSharp;

namespace Mien.Imaging;

/// <summary>
/// Decodes PNG, JPEG, BMP, GIF (first frame) and WebP with SkiaSharp into 8-bit grey or BGR, upright by the file's EXIF
/// orientation, as Mien's OpenCV decoder does. The same checks come first (ImageFile: size limits, truncation), and
/// anything that is not a whole, sane image throws <see cref="InvalidDataException"/> with the reason. TIFF, which Skia
/// does not read, is refused by name.
/// </summary>
internal static class SkiaImageDecoder
{
    /// <summary>Reads and decodes a file; errors name the file.</summary>
    public static PixelImage Read(string path)
    {
        byte[] bytes = ImageFile.ReadBytes(path);
        try { return Decode(bytes, ImageLimits.MaxPixels); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{path}': {e.Message}", e); }
    }

    /// <summary>Decodes an encoded image held in memory.</summary>
    public static PixelImage Decode(byte[] bytes, long maxPixels)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ImageFile.CheckBeforeDecoding(bytes, maxPixels);
        if (ImageHeader.IsTiff(bytes))
            throw new InvalidDataException("TIFF is not read by Mien.Onnx (it reads PNG, JPEG, BMP, GIF and WebP); convert it, or use the Mien package");
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new InvalidDataException("not a decodable image (unknown format or corrupt data)");
        var info = codec.Info;
        if ((long)info.Width * info.Height > maxPixels) throw new InvalidDataException($"image is {info.Width}x{info.Height}, over the {maxPixels:N0}-pixel limit");
        bool gray = info.ColorType == SKColorType.Gray8;
        // Unpremultiplied: a transparent pixel keeps its colour and the alpha is dropped, as OpenCV's BGRA2BGR does.
        var target = new SKImageInfo(info.Width, info.Height, gray ? SKColorType.Gray8 : SKColorType.Bgra8888, SKAlphaType.Unpremul);
        var raw = new byte[target.BytesSize];
        var handle = GCHandle.Alloc(raw, GCHandleType.Pinned);
        SKCodecResult result;
        try { result = codec.GetPixels(target, handle.AddrOfPinnedObject()); }
        finally { handle.Free(); }
        if (result != SKCodecResult.Success)
            throw new InvalidDataException(result == SKCodecResult.IncompleteInput ? "truncated image data" : $"not a decodable image ({result})");

        var image = gray ? new PixelImage(info.Width, info.Height, 1, raw) : DropAlpha(raw, info.Width, info.Height);
        return Orient(image, codec.EncodedOrigin);
    }

    private static PixelImage DropAlpha(byte[] bgra, int width, int height)
    {
        var bgr = new byte[width * height * 3];
        for (int i = 0, j = 0; j < bgr.Length; i += 4, j += 3)
        {
            bgr[j] = bgra[i];
            bgr[j + 1] = bgra[i + 1];
            bgr[j + 2] = bgra[i + 2];
        }
        return new PixelImage(width, height, 3, bgr);
    }

    // EXIF orientation 1-8: where each displayed pixel (x, y) comes from in the stored image (w x h).
    private static PixelImage Orient(PixelImage image, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or 0) return image;
        int w = image.Width, h = image.Height, c = image.Channels;
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int ow = swap ? h : w, oh = swap ? w : h;
        var dst = new byte[image.Pixels.Length];
        for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++)
        {
            var (sx, sy) = origin switch
            {
                SKEncodedOrigin.TopRight => (w - 1 - x, y),
                SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                SKEncodedOrigin.LeftTop => (y, x),
                SKEncodedOrigin.RightTop => (y, h - 1 - x),
                SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),
                SKEncodedOrigin.LeftBottom => (w - 1 - y, x),
                _ => (x, y),
            };
            Buffer.BlockCopy(image.Pixels, (sy * w + sx) * c, dst, (y * ow + x) * c, c);
        }
        return new PixelImage(ow, oh, c, dst);
    }
}

namespace Mien.Imaging;

/// <summary>
/// An 8-bit image in memory: grey (1 channel) or B, G, R (3 channels, interleaved), rows without padding. Mien.Onnx's
/// stand-in for OpenCV's Mat, holding only what finding and cutting out faces needs.
/// </summary>
internal sealed class PixelImage
{
    public PixelImage(int width, int height, int channels, byte[]? pixels = null)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}: an image needs at least one pixel.");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 (grey) or 3 (BGR).");
        pixels ??= new byte[(long)width * height * channels];
        if (pixels.LongLength != (long)width * height * channels)
            throw new ArgumentException($"{pixels.Length} bytes for a {width}x{height}x{channels} image.", nameof(pixels));
        (Width, Height, Channels, Pixels) = (width, height, channels, pixels);
    }

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public byte[] Pixels { get; }
    public int Stride => Width * Channels;
}

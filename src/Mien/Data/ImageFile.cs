namespace Mien.Data;

/// <summary>
/// Reads an image file's bytes with the checks every decoder needs first, without decoding (Mien decodes with OpenCV,
/// Mien.Onnx with SkiaSharp): not a pipe or device, present, not empty, under <see cref="ImageLimits.MaxFileBytes"/>.
/// Errors name the file.
/// </summary>
internal static class ImageFile
{
    public static byte[] ReadBytes(string path)
    {
        // Checked before opening: a pipe would block the open and a device would never end.
        if (IO.RegularFile.NotRegular(path) is { } kind) throw new InvalidDataException($"'{path}' is {kind}, not an image file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        long length = new FileInfo(path).Length;
        if (length > ImageLimits.MaxFileBytes)
            throw new InvalidDataException($"'{path}' is {length:N0} bytes, over the {ImageLimits.MaxFileBytes:N0}-byte limit.");
        if (length == 0) throw new InvalidDataException($"'{path}': empty file (0 bytes)");
        using var s = IO.RegularFile.OpenRead(path);
        return IO.BoundedRead.ReadAtMost(s, length, ImageLimits.MaxFileBytes, path);
    }

    /// <summary>
    /// What the header tells before any decoder runs: not empty, within <paramref name="maxPixels"/>, not truncated.
    /// Throws <see cref="InvalidDataException"/> with the reason (without the file name; callers add it).
    /// </summary>
    public static void CheckBeforeDecoding(byte[] bytes, long maxPixels)
    {
        if (bytes.Length == 0) throw new InvalidDataException("empty file (0 bytes)");
        if (ImageHeader.TryReadSize(bytes) is { } size)
        {
            if (size.Width > maxPixels || size.Height > maxPixels || size.Width * size.Height > maxPixels)
                throw new InvalidDataException($"image is {size.Width}x{size.Height}, over the {maxPixels:N0}-pixel limit");
            if (size.Width * size.Height == 0 && ImageHeader.IsTiff(bytes))
                throw new InvalidDataException("TIFF without a readable ImageWidth/ImageLength in its first directory");
        }
        if (ImageHeader.TruncationProblem(bytes) is { } truncated) throw new InvalidDataException(truncated);
    }
}

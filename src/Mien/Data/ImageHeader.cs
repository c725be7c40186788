using System.Buffers.Binary;

namespace Mien.Data;

/// <summary>
/// Reads image dimensions from the header without decoding, so a huge image can be refused before it
/// exhausts memory, and detects truncated PNG/JPEG files, which OpenCV would otherwise decode silently
/// into a half-grey picture. (OpenCV exposes neither: its own guard, 2^30 pixels, comes after it has chosen to
/// allocate, and is far above <see cref="ImageLimits.MaxPixels"/>.)
/// </summary>
internal static class ImageHeader
{
    private const int TiffImageWidth = 256, TiffImageLength = 257;

    public static (long Width, long Height)? TryReadSize(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 24 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G')
            return (BinaryPrimitives.ReadUInt32BigEndian(b[16..]), BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
        if (b.Length >= 26 && b[0] == (byte)'B' && b[1] == (byte)'M')
            return (Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(b[18..])), Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(b[22..])));
        if (b.Length >= 10 && b[..3].SequenceEqual("GIF"u8))
            return (BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), BinaryPrimitives.ReadUInt16LittleEndian(b[8..]));
        if (IsTiff(b)) return TiffSize(b);
        if (b.Length >= 4 && b[0] == 0xFF && b[1] == 0xD8)
        {
            int i = 2;
            while (i + 9 < b.Length)
            {
                if (b[i] != 0xFF) { i++; continue; }
                byte marker = b[i + 1];
                if (marker == 0xFF) { i++; continue; }
                if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
                    return (BinaryPrimitives.ReadUInt16BigEndian(b[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(b[(i + 5)..]));
                if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; }
                i += 2 + BinaryPrimitives.ReadUInt16BigEndian(b[(i + 2)..]);
            }
        }
        return null;
    }

    public static bool IsTiff(ReadOnlySpan<byte> b) =>
        b.Length >= 8 && ((b[0] == 'I' && b[1] == 'I' && b[3] == 0 && b[2] is 42 or 43) || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] is 42 or 43));

    /// <summary>
    /// The first image's ImageWidth and ImageLength tags (classic TIFF and BigTIFF), or (0, 0) when the first IFD
    /// cannot be read or lacks them: libtiff then allocates whatever the file says, so such a TIFF is refused.
    /// </summary>
    private static (long, long) TiffSize(ReadOnlySpan<byte> b)
    {
        bool little = b[0] == 'I', big = (little ? b[2] : b[3]) == 43;
        if (big && b.Length < 16) return (0, 0);
        ulong ifd = big ? U64(b, little, 8) : U32(b, little, 4);
        int countSize = big ? 8 : 2, entrySize = big ? 20 : 12, valueAt = big ? 12 : 8;
        if (ifd > (ulong)(b.Length - countSize)) return (0, 0);
        ulong count = big ? U64(b, little, (int)ifd) : U16(b, little, (int)ifd);
        long width = 0, height = 0;
        for (ulong k = 0; k < count; k++)
        {
            ulong at = ifd + (ulong)countSize + k * (ulong)entrySize;
            if (at + (ulong)entrySize > (ulong)b.Length) break;
            int e = (int)at;
            ulong tag = U16(b, little, e), type = U16(b, little, e + 2);
            if (tag is not (TiffImageWidth or TiffImageLength)) continue;
            // SHORT, LONG or (BigTIFF) LONG8, held in the entry itself.
            long value = type switch { 3 => (long)U16(b, little, e + valueAt), 4 => (long)U32(b, little, e + valueAt), 16 when big => (long)Math.Min(U64(b, little, e + valueAt), long.MaxValue), _ => 0 };
            if (tag == TiffImageWidth) width = value; else height = value;
        }
        return (width, height);
    }

    private static ulong U16(ReadOnlySpan<byte> b, bool little, int at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);
    private static ulong U32(ReadOnlySpan<byte> b, bool little, int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, bool little, int at) => little ? BinaryPrimitives.ReadUInt64LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt64BigEndian(b[at..]);

    /// <summary>A reason when a PNG or JPEG is cut short, else null.</summary>
    public static string? TruncationProblem(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[0] == 0x89 && b[1] == (byte)'P')
            return b.IndexOf("IEND"u8) < 0 ? "truncated PNG (no IEND chunk)" : null;
        if (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xD8)
        {
            // The end-of-image marker can be followed by a camera's trailer (maker data, a preview), so look for it
            // anywhere after the image data starts: inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker.
            int scan = Math.Max(2, JpegScanStart(b));
            return b[scan..].IndexOf(new byte[] { 0xFF, 0xD9 }) < 0 ? "truncated JPEG (no end-of-image marker)" : null;
        }
        return null;
    }

    // The offset of the first start-of-scan marker, walking the header segments by their lengths (so an EXIF
    // thumbnail's own markers are skipped), or -1.
    private static int JpegScanStart(ReadOnlySpan<byte> b)
    {
        int i = 2;
        while (i + 3 < b.Length)
        {
            if (b[i] != 0xFF) { i++; continue; }
            byte marker = b[i + 1];
            if (marker == 0xFF) { i++; continue; }
            if (marker == 0xDA) return i;
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; }
            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(b[(i + 2)..]);
        }
        return -1;
    }
}

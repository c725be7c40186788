using System.Buffers.Binary;

namespace Mien.Data;

/// <summary>
/// Reads image dimensions from the header without decoding, so a huge image can be refused before it
/// exhausts memory, and detects truncated PNG/JPEG files, which OpenCV would otherwise decode silently
/// into a half-grey picture.
/// </summary>
internal static class ImageHeader
{
    public static (int Width, int Height)? TryReadSize(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 24 && b[0] == 0x89 && b[1] == (byte)'P' && b[2] == (byte)'N' && b[3] == (byte)'G')
            return ((int)BinaryPrimitives.ReadUInt32BigEndian(b[16..]), (int)BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
        if (b.Length >= 26 && b[0] == (byte)'B' && b[1] == (byte)'M')
            return (BinaryPrimitives.ReadInt32LittleEndian(b[18..]), Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(b[22..])));
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

    /// <summary>A reason when a PNG or JPEG is cut short, else null.</summary>
    public static string? TruncationProblem(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[0] == 0x89 && b[1] == (byte)'P')
            return b.IndexOf("IEND"u8) < 0 ? "truncated PNG (no IEND chunk)" : null;
        if (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xD8)
        {
            var tail = b[Math.Max(0, b.Length - 64)..];
            return tail.IndexOf(new byte[] { 0xFF, 0xD9 }) < 0 ? "truncated JPEG (no end-of-image marker)" : null;
        }
        return null;
    }
}

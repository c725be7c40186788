using System.Buffers.Binary;
using MetadataExtractor;
using MetadataExtractor.Formats.Bmp;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.Tiff;
using MetadataExtractor.IO;
using MetadataExtractor.Util;

namespace Mien.Data;

/// <summary>
/// Reads image type and dimensions from the header without decoding, so a huge image can be refused before it
/// exhausts memory, and detects truncated PNG/JPEG files, which OpenCV would otherwise decode silently
/// into a half-grey picture. (OpenCV exposes neither: its own guard, 2^30 pixels, comes after it has chosen to
/// allocate, and is far above <see cref="ImageLimits.MaxPixels"/>.) The parsing is MetadataExtractor's; each format
/// is handed only its header structures (no EXIF, XMP, ICC or compressed text is parsed), so the work is bounded
/// whatever the file's size and a damaged image body does not lose the size.
/// </summary>
internal static class ImageHeader
{
    private const int TiffImageWidth = 256, TiffImageLength = 257;

    // FileTypeDetector matches PNG on its signature plus the IHDR chunk header (16 bytes); no type it knows needs 64.
    private const int SniffBytes = 64;

    // The signature and the IHDR chunk, which the PNG specification puts first (8 + 4 + 4 + 13 + 4 bytes).
    private const int PngHeaderBytes = 33;
    private static readonly byte[] PngEnd = [0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82];

    // "GIF87a" or "GIF89a" and the logical screen descriptor (6 + 7 bytes).
    private const int GifHeaderBytes = 13;

    private static readonly ICollection<JpegSegmentType> JpegFrameSegments = ((IJpegSegmentMetadataReader)new JpegReader()).SegmentTypes;

    /// <summary>
    /// The format the first bytes announce, by MetadataExtractor's magic-number table; BigTIFF, which that table lacks,
    /// is <see cref="FileType.Tiff"/> too.
    /// </summary>
    public static FileType Detect(ReadOnlySpan<byte> b)
    {
        var type = FileTypeDetector.DetectFileType(new MemoryStream(b[..Math.Min(b.Length, SniffBytes)].ToArray(), writable: false));
        if (type == FileType.Unknown && IsBigTiff(b)) return FileType.Tiff;
        return type;
    }

    /// <summary>Width and height from the header of a PNG, JPEG, BMP, GIF or TIFF; null when the header does not say.</summary>
    /// <remarks>Copies the bytes: a TIFF's first directory can be anywhere in the file. Callers holding an array use the other overload.</remarks>
    public static (long Width, long Height)? TryReadSize(ReadOnlySpan<byte> b) => TryReadSize(b.ToArray());

    /// <inheritdoc cref="TryReadSize(ReadOnlySpan{byte})"/>
    public static (long Width, long Height)? TryReadSize(byte[] b)
    {
        try
        {
            return Detect(b) switch
            {
                FileType.Png => PngSize(b),
                FileType.Bmp when IsWindowsBitmap(b) => BmpSize(b),
                FileType.Gif => GifSize(b),
                FileType.Jpeg => JpegSize(b),
                var t when IsTiffFamily(t) => IsBigTiff(b) ? BigTiffSize(b) : TiffSize(b),
                _ => null,
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A header cut short or malformed (whatever the reader throws on hostile bytes): the size is unknown, and
            // the decoder's own checks decide, as before MetadataExtractor.
            return null;
        }
    }

    public static bool IsTiff(ReadOnlySpan<byte> b) => IsTiffFamily(Detect(b));

    /// <summary>
    /// The BMP the decoders read starts "BM"; MetadataExtractor also counts OS/2's "BA", "CI", "CP", "IC" and "PT",
    /// which OpenCV does not decode and which plain text often starts with.
    /// </summary>
    public static bool IsWindowsBitmap(ReadOnlySpan<byte> b) => b.Length >= 2 && b[0] == (byte)'B' && b[1] == (byte)'M';

    // libtiff reads the TIFF-structured camera files that share TIFF's magic numbers (ARW, CR2 and NEF start "II*\0"
    // or "MM\0*", and MetadataExtractor names them by what follows); ORF and RW2 have their own magic and libtiff refuses them.
    private static bool IsTiffFamily(FileType t) => t is FileType.Tiff or FileType.Arw or FileType.Cr2 or FileType.Nef;

    private static (long, long)? PngSize(byte[] b)
    {
        // PngChunkReader walks every chunk up to IEND and throws at a cut one, losing IHDR with it; a bomb need not be
        // a whole file, so it is handed the IHDR alone, closed by an IEND.
        byte[] head = [.. b.AsSpan(0, Math.Min(b.Length, PngHeaderBytes)), .. PngEnd];
        var ihdr = new PngChunkReader().Extract(new SequentialByteArrayReader(head), new HashSet<PngChunkType> { PngChunkType.IHDR }).FirstOrDefault();
        if (ihdr is null) return null;
        var header = new PngHeader(ihdr.Bytes);
        // IHDR holds unsigned 32-bit sizes; PngHeader reads them as int.
        return ((uint)header.ImageWidth, (uint)header.ImageHeight);
    }

    private static (long, long)? BmpSize(byte[] b)
    {
        var header = new BmpReader().Extract(new SequentialByteArrayReader(b)).OfType<BmpHeaderDirectory>().FirstOrDefault();
        if (header is null || !header.TryGetInt64(BmpHeaderDirectory.TagImageWidth, out long w) || !header.TryGetInt64(BmpHeaderDirectory.TagImageHeight, out long h)) return null;
        return (Math.Abs(w), Math.Abs(h)); // a negative height means rows stored top-down
    }

    private static (long, long)? GifSize(byte[] b)
    {
        // The screen size is in the fixed-size header; the blocks after it (XMP, comments, frames) are not needed.
        var header = new GifReader().Extract(new SequentialByteArrayReader(b[..Math.Min(b.Length, GifHeaderBytes)])).OfType<GifHeaderDirectory>().FirstOrDefault();
        if (header is null || !header.TryGetInt64(GifHeaderDirectory.TagImageWidth, out long w) || !header.TryGetInt64(GifHeaderDirectory.TagImageHeight, out long h)) return null;
        return (w, h);
    }

    private static (long, long)? JpegSize(byte[] b)
    {
        // The segment reader is lazy: it stops at the first frame header, before any EXIF segment after it or a cut scan.
        var frame = JpegSegmentReader.ReadSegments(new SequentialByteArrayReader(b), JpegFrameSegments).FirstOrDefault();
        if (frame is null) return null;
        var d = new JpegReader().Extract(frame);
        if (!d.TryGetInt64(JpegDirectory.TagImageWidth, out long w) || !d.TryGetInt64(JpegDirectory.TagImageHeight, out long h)) return null;
        return (w, h);
    }

    /// <summary>
    /// The first image's ImageWidth and ImageLength tags, or (0, 0) when the first IFD cannot be read or lacks them:
    /// libtiff then allocates whatever the file says, so such a TIFF is refused.
    /// </summary>
    private static (long, long) TiffSize(byte[] b)
    {
        var size = new FirstIfdSize();
        try { TiffReader.ProcessTiff(new ByteArrayReader(b), size); }
        catch (Exception e) when (e is not OutOfMemoryException) { return (0, 0); }
        // MetadataExtractor recovers a first-IFD offset past the end by guessing one; libtiff does not.
        return size.Guessed ? (0, 0) : (size.Width, size.Height);
    }

    /// <summary>
    /// Collects ImageWidth/ImageLength of the first IFD and nothing else: every other tag is skipped unread (no strip
    /// tables, XMP or ICC profile materialised), and neither sub-IFDs nor the next image are followed.
    /// </summary>
    private sealed class FirstIfdSize : ITiffHandler
    {
        public long Width { get; private set; }
        public long Height { get; private set; }
        public bool Guessed { get; private set; }

        private void Set(int tag, long value)
        {
            if (tag == TiffImageWidth) Width = value;
            else if (tag == TiffImageLength) Height = value;
        }

        public void SetTiffMarker(int marker) { }
        public bool TryEnterSubIfd(int tagType) => false;
        public bool HasFollowerIfd() => false;
        public void EndingIfd() { }
        public bool CustomProcessTag(int tagOffset, ICollection<int> processedIfdOffsets, IndexedReader reader, int tagId, int byteCount) =>
            tagId is not (TiffImageWidth or TiffImageLength);
        public bool TryCustomProcessFormat(int tagId, TiffDataFormatCode formatCode, uint componentCount, out long byteCount) { byteCount = 0; return false; }
        public void Warn(string message) => Guessed = true; // the only warning: "First IFD offset is beyond the end ..."
        public void Error(string message) { }
        // SHORT or LONG, as the TIFF specification allows for both tags (the first value if a writer stored several).
        public void SetInt16U(int tagId, ushort int16U) => Set(tagId, int16U);
        public void SetInt16UArray(int tagId, ushort[] array) { if (array.Length > 0) Set(tagId, array[0]); }
        public void SetInt32U(int tagId, uint int32U) => Set(tagId, int32U);
        public void SetInt32UArray(int tagId, uint[] array) { if (array.Length > 0) Set(tagId, array[0]); }
        public void SetByteArray(int tagId, byte[] bytes) { }
        public void SetString(int tagId, StringValue str) { }
        public void SetRational(int tagId, Rational rational) { }
        public void SetRationalArray(int tagId, Rational[] array) { }
        public void SetFloat(int tagId, float float32) { }
        public void SetFloatArray(int tagId, float[] array) { }
        public void SetDouble(int tagId, double double64) { }
        public void SetDoubleArray(int tagId, double[] array) { }
        public void SetInt8S(int tagId, sbyte int8S) { }
        public void SetInt8SArray(int tagId, sbyte[] array) { }
        public void SetInt8U(int tagId, byte int8U) { }
        public void SetInt8UArray(int tagId, byte[] array) { }
        public void SetInt16S(int tagId, short int16S) { }
        public void SetInt16SArray(int tagId, short[] array) { }
        public void SetInt32S(int tagId, int int32S) { }
        public void SetInt32SArray(int tagId, int[] array) { }
    }

    // MetadataExtractor 2.4.3 knows only classic TIFF (its reader refuses marker 43 and has no LONG8), so BigTIFF keeps
    // the smallest hand reading: header, first IFD, the two tags as SHORT, LONG or LONG8 held in the entry.
    private static bool IsBigTiff(ReadOnlySpan<byte> b) =>
        b.Length >= 8 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 43 && b[3] == 0) || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 43));

    private static (long, long) BigTiffSize(ReadOnlySpan<byte> b)
    {
        bool little = b[0] == 'I';
        if (b.Length < 16) return (0, 0);
        ulong ifd = U64(b, little, 8);
        if (ifd > (ulong)(b.Length - 8)) return (0, 0);
        ulong count = U64(b, little, (int)ifd);
        long width = 0, height = 0;
        for (ulong k = 0; k < count; k++)
        {
            ulong at = ifd + 8 + k * 20;
            if (at + 20 > (ulong)b.Length) break;
            int e = (int)at;
            ulong tag = U16(b, little, e), type = U16(b, little, e + 2);
            if (tag is not (TiffImageWidth or TiffImageLength)) continue;
            long value = type switch { 3 => (long)U16(b, little, e + 12), 4 => U32(b, little, e + 12), 16 => (long)Math.Min(U64(b, little, e + 12), long.MaxValue), _ => 0 };
            if (tag == TiffImageWidth) width = value; else height = value;
        }
        return (width, height);
    }

    private static ulong U16(ReadOnlySpan<byte> b, bool little, int at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);
    private static long U32(ReadOnlySpan<byte> b, bool little, int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, bool little, int at) => little ? BinaryPrimitives.ReadUInt64LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt64BigEndian(b[at..]);

    /// <summary>A reason when a PNG or JPEG is cut short, else null.</summary>
    public static string? TruncationProblem(ReadOnlySpan<byte> b) => TruncationProblem(b.ToArray());

    /// <inheritdoc cref="TruncationProblem(ReadOnlySpan{byte})"/>
    public static string? TruncationProblem(byte[] b)
    {
        // A byte search, not parsing: MetadataExtractor reads headers and never looks at where a file ends.
        if (b.Length >= 8 && b[0] == 0x89 && b[1] == (byte)'P')
            return b.IndexOf("IEND"u8) < 0 ? "truncated PNG (no IEND chunk)" : null;
        if (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xD8)
        {
            // The end-of-image marker can be followed by a camera's trailer (maker data, a preview), so look for it
            // anywhere after the image data starts: inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker.
            int scan = Math.Max(2, JpegScanStart(b));
            return b.AsSpan(scan).IndexOf(new byte[] { 0xFF, 0xD9 }) < 0 ? "truncated JPEG (no end-of-image marker)" : null;
        }
        return null;
    }

    // The offset of the first start-of-scan marker, walking the header segments by their lengths (so an EXIF
    // thumbnail's own markers are skipped), or -1. JpegSegmentReader stops right after that marker's two bytes; asked
    // for no segment type it skips every segment without copying it.
    private static int JpegScanStart(byte[] b)
    {
        var reader = new SequentialByteArrayReader(b);
        try
        {
            foreach (var _ in JpegSegmentReader.ReadSegments(reader, Array.Empty<JpegSegmentType>())) { }
        }
        catch (Exception e) when (e is not OutOfMemoryException) { return -1; }
        int after = (int)reader.Position;
        return after >= 4 && b[after - 2] == 0xFF && b[after - 1] == 0xDA ? after - 2 : -1;
    }
}

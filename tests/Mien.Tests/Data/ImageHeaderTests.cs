using System.Buffers.Binary;
using Mien.Data;
using OpenCvSharp;

namespace Mien.Tests.Data;

/// <summary>
/// Image type and size read from the header by MetadataExtractor (issue #11): right for every format Mien decodes,
/// for headers that claim absurd sizes and for files cut after their header, with work bounded by the header, not
/// the file.
/// </summary>
[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class ImageHeaderTests
{
    private static byte[] Encoded(string ext, int width = 40, int height = 30)
    {
        using var m = new Mat(height, width, MatType.CV_8UC3, new Scalar(10, 120, 200));
        return m.ImEncode(ext);
    }

    [Theory]
    [InlineData(".png")]
    [InlineData(".jpg")]
    [InlineData(".bmp")]
    [InlineData(".tiff")]
    public void Real_files_give_their_width_and_height_in_that_order(string ext)
    {
        var bytes = Encoded(ext, 40, 30);
        Assert.Equal((40L, 30L), ImageDecoder.ReadSize(bytes));
        Assert.Equal((40L, 30L), ImageDecoder.ReadSize(bytes.AsSpan()));
    }

    [Fact]
    public void Headers_claiming_absurd_sizes_are_read_whatever_follows_them()
    {
        // PNG: 100000x100000, cut right after IHDR (a bomb need not be a whole file), and IHDR's unsigned maximum.
        var png = Encoded(".png");
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 100_000);
        Assert.Equal((100_000L, 100_000L), ImageDecoder.ReadSize(png));
        Assert.Equal((100_000L, 100_000L), ImageDecoder.ReadSize(png[..40]));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), uint.MaxValue);
        Assert.Equal((4_294_967_295L, 100_000L), ImageDecoder.ReadSize(png));

        // JPEG: the frame header after an EXIF-like segment holding marker bytes of its own, then a scan cut short.
        byte[] app1 = [0xFF, 0xE1, 0, 10, 0xFF, 0xC0, 0xFF, 0xD9, 1, 2, 3, 4];
        byte[] sof = [0xFF, 0xC0, 0, 11, 8, 0xFF, 0xDC, 0xFF, 0xDD, 1, 1, 0x11, 0];
        byte[] jpeg = [0xFF, 0xD8, .. app1, .. sof, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34];
        Assert.Equal((65_501L, 65_500L), ImageDecoder.ReadSize(jpeg));
        Assert.Equal("truncated JPEG (no end-of-image marker)", ImageHeader.TruncationProblem(jpeg));

        // BMP stored top-down (negative height), GIF at its 16-bit maximum.
        var bmp = Encoded(".bmp");
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 100_000);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), -90_000);
        Assert.Equal((100_000L, 90_000L), ImageDecoder.ReadSize(bmp));
        byte[] gif = [.. "GIF89a"u8, 0xFF, 0xFF, 0xFF, 0xFF, 0xF7, 0, 0, 1, 2, 3]; // a global colour table flagged, then cut
        Assert.Equal((65_535L, 65_535L), ImageDecoder.ReadSize(gif));

        // Classic TIFF in both byte orders.
        Assert.Equal((30_000L, 20_000L), ImageDecoder.ReadSize(HostileInputTests.TiffHeader(30_000, 20_000)));
        Assert.Equal((30_000L, 20_000L), ImageDecoder.ReadSize(BigEndian(HostileInputTests.TiffHeader(30_000, 20_000))));
    }

    [Fact]
    public void Reading_a_size_allocates_nothing_like_the_file_it_reads()
    {
        // A 32 MB TIFF whose first IFD is at the start and whose StripOffsets table holds 8 M entries (a full EXIF read
        // materialises that table), and a 48 MB PNG: reading either must not copy or walk the file.
        const int strips = 8 << 20;
        var tiff = new byte[8 + 2 + 3 * 12 + 4 + strips * 4 + 16];
        "II*\0"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 3);
        int at = 10;
        foreach (var (tag, type, count, value) in new (ushort, ushort, uint, uint)[] { (256, 4, 1, 30_000), (257, 4, 1, 30_000), (273, 4, strips, 8 + 2 + 36 + 4) })
        {
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), tag);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at + 2), type);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 4), count);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 8), value);
            at += 12;
        }
        var png = new byte[48 << 20];
        Encoded(".png").AsSpan(0, 33).CopyTo(png);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 100_000);

        foreach (var (bytes, expected) in new[] { (tiff, 30_000L), (png, 100_000L) })
        {
            Assert.Equal((expected, expected), ImageDecoder.ReadSize(bytes)); // warm-up: static tables, JIT
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal((expected, expected), ImageDecoder.ReadSize(bytes));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 256 << 10, $"reading the header of a {bytes.Length >> 20} MB file allocated {allocated:N0} bytes");
        }
    }

    [Fact]
    public void A_tiff_whose_first_directory_cannot_be_read_has_no_size_rather_than_a_guessed_one()
    {
        // MetadataExtractor alone would look for the IFD right after the header and find one there; libtiff does not.
        var tiff = HostileInputTests.TiffHeader(100, 100);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 1_000_000);
        Assert.Equal((0L, 0L), ImageDecoder.ReadSize(tiff));
        // A directory claiming more entries than the file holds.
        var cut = HostileInputTests.TiffHeader(100, 100);
        BinaryPrimitives.WriteUInt16LittleEndian(cut.AsSpan(8), 5000);
        Assert.Equal((0L, 0L), ImageDecoder.ReadSize(cut));
    }

    [Fact]
    public void The_format_is_sniffed_by_magic_number_and_text_is_never_an_image()
    {
        Assert.Equal("png", ImageDecoder.SniffFormat(Encoded(".png")));
        Assert.Equal("jpeg", ImageDecoder.SniffFormat(Encoded(".jpg")));
        Assert.Equal("bmp", ImageDecoder.SniffFormat(Encoded(".bmp")));
        Assert.Equal("tiff", ImageDecoder.SniffFormat(Encoded(".tiff")));
        Assert.Equal("tiff", ImageDecoder.SniffFormat(BigEndian(HostileInputTests.TiffHeader(10, 10))));
        Assert.Equal("tiff", ImageDecoder.SniffFormat("II+\0\b\0\0\0\x10\0\0\0\0\0\0\0"u8));
        Assert.Equal("gif", ImageDecoder.SniffFormat("GIF87a\x01\0\x01\0\0\0\0"u8));
        Assert.Equal("webp", ImageDecoder.SniffFormat("RIFF\x10\0\0\0WEBPVP8 "u8));
        // MetadataExtractor counts OS/2 bitmap arrays ("BA", "IC", "PT" ...) as BMP; OpenCV reads none of them.
        foreach (var text in new[] { "BAD REQUEST", "ICON", "PT 1", "hello", "{\"image\": 1}", "" })
            Assert.Null(ImageDecoder.SniffFormat(System.Text.Encoding.ASCII.GetBytes(text)));
        Assert.Null(ImageDecoder.SniffFormat("RIFF\x10\0\0\0WAVEfmt "u8));
    }

    // The same TIFF with every field in big-endian order ("MM"): header, entry count, tags, types, counts and LONG values.
    private static byte[] BigEndian(byte[] little)
    {
        var b = (byte[])little.Clone();
        "MM\0*"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), BinaryPrimitives.ReadUInt32LittleEndian(little.AsSpan(4)));
        int ifd = (int)BinaryPrimitives.ReadUInt32LittleEndian(little.AsSpan(4));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(little.AsSpan(ifd));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(ifd), (ushort)count);
        for (int k = 0; k < count; k++)
        {
            int e = ifd + 2 + 12 * k;
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(little.AsSpan(e + 2));
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(e), BinaryPrimitives.ReadUInt16LittleEndian(little.AsSpan(e)));
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(e + 2), type);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(e + 4), BinaryPrimitives.ReadUInt32LittleEndian(little.AsSpan(e + 4)));
            if (type == 3) { BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(e + 8), BinaryPrimitives.ReadUInt16LittleEndian(little.AsSpan(e + 8))); b[e + 10] = b[e + 11] = 0; }
            else BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(e + 8), BinaryPrimitives.ReadUInt32LittleEndian(little.AsSpan(e + 8)));
        }
        return b;
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using Mien.Data;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Mien.Tests.Data;

/// <summary>
/// Issue #11, the input side: files that are not what they claim (bombs, pipes, devices, camera trailers,
/// unreadable files) are refused or skipped with a reason, and the good files beside them still load.
/// </summary>
[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class HostileInputTests(ITestOutputHelper output)
{
    internal static byte[] Jpeg(int size = 64, byte value = 128)
    {
        using var m = new Mat(size, size, MatType.CV_8UC3, new Scalar(value, value, value));
        return m.ImEncode(".jpg");
    }

    /// <summary>A classic little-endian TIFF whose only IFD claims <paramref name="width"/> x <paramref name="height"/> 8-bit grey pixels in one tiny strip.</summary>
    internal static byte[] TiffHeader(uint width, uint height)
    {
        var b = new byte[8 + 2 + 8 * 12 + 4 + 16];
        "II*\0"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), 8);
        int at = 10, data = 8 + 2 + 8 * 12 + 4;
        void Entry(ushort tag, ushort type, uint value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), tag);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at + 2), type);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 4), 1);
            if (type == 3) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at + 8), (ushort)value);
            else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 8), value);
            at += 12;
        }
        Entry(256, 4, width); Entry(257, 4, height); Entry(258, 3, 8); Entry(259, 3, 1); Entry(262, 3, 1);
        Entry(273, 4, (uint)data); Entry(278, 4, height); Entry(279, 4, 16);
        return b;
    }

    [Fact]
    public void A_jpeg_with_a_camera_trailer_after_its_end_marker_decodes()
    {
        var jpeg = Jpeg();
        var trailer = new byte[2048];
        new Random(4).NextBytes(trailer);
        trailer[0] = 0; // no accidental end marker right at the join
        using var m = ImageDecoder.DecodeGray([.. jpeg, .. trailer]);
        Assert.Equal(64, m.Width);
        Assert.InRange(m.At<byte>(10, 10), 120, 136);

        // A JPEG cut inside its image data is still refused, even though an EXIF-like header holds end markers.
        var cut = jpeg[..(jpeg.Length - 40)];
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => ImageDecoder.DecodeGray(cut)).Message);
    }

    [Fact]
    public void A_tiff_claiming_30000x30000_is_refused_by_its_header_before_decoding()
    {
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.DecodeGray(TiffHeader(30000, 30000)));
        Assert.Contains("30000x30000", e.Message);
        Assert.Contains("pixel limit", e.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");

        // Big-endian and BigTIFF headers are read too; a TIFF whose size cannot be read is refused, not trusted.
        var bigTiff = new byte[64];
        "MM\0+"u8.CopyTo(bigTiff);
        BinaryPrimitives.WriteUInt16BigEndian(bigTiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt64BigEndian(bigTiff.AsSpan(8), 16);
        BinaryPrimitives.WriteUInt64BigEndian(bigTiff.AsSpan(16), 2);
        foreach (var (k, tag) in new[] { (0, 256), (1, 257) })
        {
            int at = 24 + k * 20;
            BinaryPrimitives.WriteUInt16BigEndian(bigTiff.AsSpan(at), (ushort)tag);
            BinaryPrimitives.WriteUInt16BigEndian(bigTiff.AsSpan(at + 2), 16);
            BinaryPrimitives.WriteUInt64BigEndian(bigTiff.AsSpan(at + 4), 1);
            BinaryPrimitives.WriteUInt64BigEndian(bigTiff.AsSpan(at + 12), 1_000_000);
        }
        Assert.Contains("pixel limit", Assert.Throws<InvalidDataException>(() => ImageDecoder.DecodeGray(bigTiff)).Message);
        var noSize = TiffHeader(100, 100);
        BinaryPrimitives.WriteUInt32LittleEndian(noSize.AsSpan(4), 1_000_000); // IFD offset past the end
        Assert.Contains("ImageWidth", Assert.Throws<InvalidDataException>(() => ImageDecoder.DecodeGray(noSize)).Message);

        // A real (small) TIFF still decodes.
        using var small = new Mat(30, 40, MatType.CV_8UC1, new Scalar(200));
        using var back = ImageDecoder.DecodeGray(small.ImEncode(".tiff"));
        Assert.Equal((40, 30), (back.Width, back.Height));
    }

    [Fact]
    public void Dataset_skips_bombs_trailers_oversized_and_special_files_and_keeps_the_rest()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp.Path, new Dictionary<string, int> { ["happy"] = 3, ["sad"] = 3 });
        File.WriteAllBytes(tmp["happy/trailer.jpg"], [.. Jpeg(), .. new byte[2048]]);
        File.WriteAllBytes(tmp["happy/bomb.tiff"], TiffHeader(30000, 30000));
        // A 1.5 GB file (sparse: it costs no disk) must be refused by its size, not read.
        using (var f = File.Create(tmp["sad/huge.png"])) f.SetLength(1536L << 20);
        bool fifo = OperatingSystem.IsLinux() && Mkfifo(tmp["sad/pipe.png"]);

        var sw = Stopwatch.StartNew();
        var d = DatasetLoader.Load(tmp.Path);
        output.WriteLine(string.Join("\n", d.Problems));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");
        Assert.Equal(7, d.Count); // 6 generated + the JPEG with a trailer
        Assert.Contains("happy/trailer.jpg", d.Sources);
        Assert.Contains(d.Problems, p => p.Item == "happy/bomb.tiff" && p.Reason.Contains("pixel limit"));
        Assert.Contains(d.Problems, p => p.Item == "sad/huge.png" && p.Reason.Contains("byte limit") && p.Reason.Contains("not read"));
        if (fifo) Assert.Contains(d.Problems, p => p.Item == "sad/pipe.png" && p.Reason.Contains("named pipe"));
        Assert.Equal(fifo ? 3 : 2, d.Problems.Count);
    }

    [Fact]
    public async Task A_named_pipe_or_device_as_the_dataset_path_is_refused_at_once()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var tmp = TestData.NewTempDir();
        Assert.True(Mkfifo(tmp["data.csv"]), "mkfifo failed");
        foreach (var path in new[] { tmp["data.csv"], "/dev/zero" })
        {
            var load = Task.Run(() => DatasetLoader.Load(path));
            Assert.True(await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(20))) == load, $"loading {path} hangs");
            var e = await Assert.ThrowsAsync<MienDataException>(() => load);
            Assert.Contains(path, e.Message);
            Assert.Contains(path.StartsWith("/dev") ? "character device" : "named pipe", e.Message);
        }
    }

    [Fact]
    public void An_unreadable_image_is_skipped_and_reported_and_the_rest_loads()
    {
        // Through a file tree whose one entry refuses to open, as a file without read permission does.
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp.Path, new Dictionary<string, int> { ["happy"] = 3, ["sad"] = 3 });
        using var real = DatasetLoader.Open(tmp.Path);
        var denied = real.Files[0].RelativePath;
        var tree = new FakeTree(real, real.Files.Select(f => f.RelativePath == denied
            ? f with { Open = () => throw new UnauthorizedAccessException($"Access to the path '{f.RelativePath}' is denied.") } : f).ToList());
        var d = DatasetLoader.Load(tree, tmp.Path, new DatasetLoadOptions(), default);
        Assert.Equal(5, d.Count);
        var p = Assert.Single(d.Problems);
        Assert.Equal(denied, p.Item);
        Assert.Contains("permission denied", p.Reason);
    }

    [Fact]
    public void A_file_without_read_permission_is_skipped_and_reported()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp.Path, new Dictionary<string, int> { ["happy"] = 3, ["sad"] = 3 });
        if (OperatingSystem.IsWindows()) return;
        string locked = Directory.GetFiles(tmp["sad"])[0];
        File.SetUnixFileMode(locked, UnixFileMode.None);
        if (Environment.UserName == "root" || Environment.IsPrivilegedProcess)
        {
            // Root reads files whatever their mode; An_unreadable_image_is_skipped... covers this case through IFileTree.
            output.WriteLine("skipped: running as root, where chmod 000 does not stop reads");
            return;
        }
        var d = DatasetLoader.Load(tmp.Path);
        Assert.Equal(5, d.Count);
        Assert.Contains("permission denied", Assert.Single(d.Problems).Reason);
    }

    [Fact]
    public void Image_size_outside_the_models_range_is_refused_before_reading()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp.Path, new Dictionary<string, int> { ["happy"] = 1, ["sad"] = 1 });
        var e = Assert.Throws<MienDataException>(() => DatasetLoader.Load(tmp.Path, new DatasetLoadOptions { ImageSize = 20000 }));
        Assert.Contains("20000", e.Message);
        Assert.Contains("8..512", e.Message);
    }

    internal static bool Mkfifo(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    private sealed class FakeTree(IFileTree real, IReadOnlyList<FileEntry> files) : IFileTree
    {
        public string Origin => real.Origin;
        public IReadOnlyList<FileEntry> Files => files;
        public IReadOnlyList<string> Directories => real.Directories;
        public void Dispose() { }
    }
}

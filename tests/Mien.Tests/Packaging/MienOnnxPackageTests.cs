using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Google.Protobuf;
using Mien.Inference;
using Mien.Models;
using Mien.Models.Onnx;
using Xunit.Abstractions;

namespace Mien.Tests.Packaging;

/// <summary>
/// The inference-only package (Mien.Onnx: ONNX Runtime + OpenCvSharp, no LibTorch): packed, consumed by a fresh
/// console app outside the repository with the very program the Mien package test runs, and published to measure
/// what an app that ships it weighs. Tier=Packaging.
/// </summary>
[Trait("Tier", "Packaging")]
public class MienOnnxPackageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_fresh_console_app_predicts_happy_on_astronaut_png_from_the_packed_Mien_Onnx_package_without_LibTorch()
    {
        var clock = Stopwatch.StartNew();
        using var app = new ConsumerApp();
        string version = await app.PackAsync("src/Mien.Onnx/Mien.Onnx.csproj", "Mien.Onnx");
        using (var nupkg = ZipFile.OpenRead(Path.Combine(app.Feed, $"Mien.Onnx.{version}.nupkg")))
        {
            using var nuspec = new StreamReader(nupkg.GetEntry("Mien.Onnx.nuspec")!.Open());
            var dependencies = System.Xml.Linq.XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
                .Select(e => (string)e.Attribute("id")!).ToList();
            // MetadataExtractor: image type and size from the header (ImageHeader, shared with Mien); SkiaSharp decodes. No OpenCV.
            Assert.Equal(["MetadataExtractor", "Microsoft.ML.OnnxRuntime", "SkiaSharp", "SkiaSharp.NativeAssets.Linux.NoDependencies"], dependencies.Order());
        }

        string photo = TestData.Shared("photos/astronaut.png");
        await app.CreateAsync(MienPackageTests.Program, ("Mien.Onnx", version));
        string stdout = await app.BuildAndRunAsync(photo);
        var built = clock.Elapsed;
        string published = await app.PublishAsync();
        long bytes = ConsumerApp.FolderBytes(published);
        var files = Directory.EnumerateFiles(published, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        long Largest(string name) => new FileInfo(Directory.EnumerateFiles(published, name, SearchOption.AllDirectories).Single()).Length;
        output.WriteLine($"build+run {built.TotalSeconds:F0} s, total {clock.Elapsed.TotalSeconds:F0} s\n{stdout}");
        output.WriteLine($"publish (framework-dependent, linux-x64): {bytes / 1e6:F1} MB in {files.Count} files; " +
                         $"libSkiaSharp.so {Largest("libSkiaSharp.so") / 1e6:F1} MB, libonnxruntime.so {Largest("libonnxruntime.so") / 1e6:F1} MB");

        Assert.Contains(": happy ", stdout);
        Assert.DoesNotContain(files, f => f!.Contains("torch", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f!.Contains("OpenCvSharp", StringComparison.OrdinalIgnoreCase));
        Assert.True(bytes < 100_000_000, $"The published app weighs {bytes / 1e6:F1} MB; the goal is under 100 MB.");

        // The same face, the same probabilities as the Mien package's ONNX backend (one graph, one runtime) in this process.
        using var reference = EmotionRecognizer.LoadDefault(new RecognizerOptions { Backend = InferenceBackend.Onnx });
        var expected = reference.Predict(photo).Faces.Single();
        string line = stdout.Split('\n').Single(l => l.Contains(": happy ", StringComparison.Ordinal));
        Assert.StartsWith($"{expected.Box.X},{expected.Box.Y} {expected.Box.Width}x{expected.Box.Height}:", line);
        foreach (var (emotion, p) in expected.Probabilities)
        {
            string field = line.Split(' ').Single(f => f.StartsWith(emotion + "=", StringComparison.Ordinal));
            Assert.Equal(p, float.Parse(field[(emotion.Length + 1)..], CultureInfo.InvariantCulture), 1e-6f);
        }
    }

    // Every face of every file, one line each, for comparing the two packages.
    private const string ManyProgram = """
        using Mien.Inference;

        using var recognizer = EmotionRecognizer.LoadDefault(new RecognizerOptions { Detector = new() { Detector = "tiny" } });
        // PredictMany: faces of several files per network call, bad files reported in their place.
        foreach (var r in recognizer.PredictMany(args, batchSize: 8))
        {
            string path = r.Source;
            if (!r.Succeeded) { Console.WriteLine($"{Path.GetFileName(path)}\terror\t{r.Error}"); continue; }
            if (r.Faces.Count == 0) Console.WriteLine($"{Path.GetFileName(path)}\tnone");
            foreach (var f in r.Faces)
                Console.WriteLine($"{Path.GetFileName(path)}\t{f.Box.X},{f.Box.Y},{f.Box.Width},{f.Box.Height}\t{f.FaceSource}\t{f.Emotion}\t" +
                    string.Join(' ', f.Probabilities.Select(p => p.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        }
        """;

    [Fact]
    public async Task Mien_Onnx_without_OpenCV_finds_crops_and_reads_faces_as_Mien_does_with_OpenCV()
    {
        // Photos with and without faces, a JPEG, a truncated file, 48x48 CK+ crops (the padded retry and the whole-image
        // fallback), and a JPEG stored sideways with an EXIF orientation (both decoders must turn it upright).
        string dir = Directory.CreateTempSubdirectory("mien-onnx-parity-").FullName;
        try
        {
            var files = new[] { "astronaut.png", "messi5.jpg", "coffee.png", "chelsea.png", "truncated.jpg" }.Select(f => TestData.Shared("photos/" + f)).ToList();
            using (var zip = ZipFile.OpenRead(TestData.Shared("ckplus48.zip")))
                foreach (var e in zip.Entries.Where(e => e.FullName.EndsWith(".png", StringComparison.Ordinal)).GroupBy(e => e.FullName.Split('/')[1]).SelectMany(g => g.Take(3)))
                {
                    string path = Path.Combine(dir, "ck-" + e.Name);
                    e.ExtractToFile(path);
                    files.Add(path);
                }
            files.Add(SidewaysJpeg(TestData.Shared("photos/astronaut.png"), Path.Combine(dir, "astronaut-exif6.jpg")));
            // Bad input: text named .png (both packages refuse it), and a TIFF, which Mien reads and Mien.Onnx refuses by name.
            File.WriteAllText(Path.Combine(dir, "notes.png"), "not an image");
            files.Add(Path.Combine(dir, "notes.png"));
            string tiff = Path.Combine(dir, "astronaut.tiff");
            using (var photo = OpenCvSharp.Cv2.ImRead(TestData.Shared("photos/astronaut.png"))) OpenCvSharp.Cv2.ImWrite(tiff, photo);

            using var app = new ConsumerApp();
            string version = await app.PackAsync("src/Mien.Onnx/Mien.Onnx.csproj", "Mien.Onnx");
            await app.CreateAsync(ManyProgram, ("Mien.Onnx", version));
            var lines = (await app.BuildAndRunAsync([.. files, tiff])).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            output.WriteLine(string.Join('\n', lines));

            var tiffLine = Assert.Single(lines, l => l.StartsWith("astronaut.tiff\t", StringComparison.Ordinal)).Split('\t');
            Assert.Equal("error", tiffLine[1]);
            Assert.Contains("TIFF", tiffLine[2], StringComparison.Ordinal);

            using var reference = EmotionRecognizer.LoadDefault(new RecognizerOptions { Backend = InferenceBackend.Onnx, Detector = new() { Detector = "tiny" } });
            int faces = 0;
            foreach (var file in files)
            {
                string name = Path.GetFileName(file);
                var mine = lines.Where(l => l.StartsWith(name + "\t", StringComparison.Ordinal)).Select(l => l.Split('\t')).ToList();
                var expected = reference.Predict(file);
                if (!expected.Succeeded)
                {
                    var error = Assert.Single(mine);
                    Assert.Equal("error", error[1]);
                    Assert.Contains(name, error[2], StringComparison.Ordinal); // the message names the file
                    continue;
                }
                if (expected.Faces.Count == 0) { Assert.Equal("none", Assert.Single(mine)[1]); continue; }
                Assert.Equal(expected.Faces.Count, mine.Count);
                for (int i = 0; i < mine.Count; i++)
                {
                    var want = expected.Faces[i];
                    var box = mine[i][1].Split(',').Select(int.Parse).ToArray();
                    // A JPEG decodes a level or two apart in libjpeg-turbo builds, which may move a box by a pixel.
                    Assert.True(Math.Abs(box[0] - want.Box.X) <= 2 && Math.Abs(box[1] - want.Box.Y) <= 2 && Math.Abs(box[2] - want.Box.Width) <= 2,
                        $"{name}: box {mine[i][1]} against {want.Box}");
                    Assert.True(want.FaceSource.ToString() == mine[i][2] && want.Emotion == mine[i][3],
                        $"{name}: {mine[i][2]} {mine[i][3]} against {want.FaceSource} {want.Emotion} {want.Box}");
                    var p = mine[i][4].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                    Assert.True(want.Probabilities.Values.Zip(p).All(t => Math.Abs(t.First - t.Second) < 0.02),
                        $"{name}: probabilities {mine[i][4]} against {string.Join(' ', want.Probabilities.Values)}");
                    faces++;
                }
            }
            Assert.True(faces >= 20, $"only {faces} faces compared");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    // The photo turned 90 degrees anticlockwise and saved as a JPEG whose EXIF orientation (6) says to turn it back.
    private static string SidewaysJpeg(string photo, string path)
    {
        using var image = OpenCvSharp.Cv2.ImRead(photo);
        using var turned = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.Rotate(image, turned, OpenCvSharp.RotateFlags.Rotate90Counterclockwise);
        byte[] jpeg = turned.ImEncode(".jpg", [(int)OpenCvSharp.ImwriteFlags.JpegQuality, 95]);
        // APP1 "Exif": a big-endian TIFF header and one IFD entry, Orientation (0x0112, SHORT) = 6.
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        int length = payload.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload];
        File.WriteAllBytes(path, [.. jpeg[..2], .. app1, .. jpeg[2..]]);
        return path;
    }

    [Fact]
    public void The_bundled_onnx_model_is_what_mien_export_writes_for_the_default_model_today()
    {
        // models/mien-default.onnx is a committed generated file (Mien.Onnx embeds it). When the default model or the
        // exporter changes, regenerate it: ./mien export --onnx models/mien-default.onnx
        using var model = DefaultModel.Load(InferencePrecision.Float32);
        byte[] now = OnnxExporter.Build(model).ToByteArray();
        byte[] committed = File.ReadAllBytes(Path.Combine(TestData.RepoRoot, "models", "mien-default.onnx"));
        Assert.True(now.AsSpan().SequenceEqual(committed),
            $"models/mien-default.onnx ({committed.Length:N0} bytes) is stale: the export today is {now.Length:N0} bytes. Run ./mien export --onnx models/mien-default.onnx");
    }
}

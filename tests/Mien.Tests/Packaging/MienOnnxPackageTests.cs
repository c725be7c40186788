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
            // MetadataExtractor: image type and size from the header (ImageHeader, shared with Mien).
            Assert.Equal(["MetadataExtractor", "Microsoft.ML.OnnxRuntime", "OpenCvSharp4"], dependencies.Order());
            Assert.Contains("buildTransitive/Mien.Onnx.targets", nupkg.Entries.Select(e => e.FullName));
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
                         $"libOpenCvSharpExtern.so {Largest("libOpenCvSharpExtern.so") / 1e6:F1} MB, libonnxruntime.so {Largest("libonnxruntime.so") / 1e6:F1} MB");

        Assert.Contains(": happy ", stdout);
        Assert.DoesNotContain(files, f => f!.Contains("torch", StringComparison.OrdinalIgnoreCase));

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

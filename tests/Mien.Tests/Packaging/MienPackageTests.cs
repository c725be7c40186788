using System.Diagnostics;
using System.IO.Compression;
using Xunit.Abstractions;

namespace Mien.Tests.Packaging;

/// <summary>
/// The Mien package, packed and consumed as a user would (<see cref="ConsumerApp"/>). Slow (a pack, a restore and a
/// build of a fresh app): Tier=Packaging, run with <c>dotnet test --filter Tier=Packaging</c>.
/// </summary>
[Trait("Tier", "Packaging")]
public class MienPackageTests(ITestOutputHelper output)
{
    internal const string Program = """
        using Mien.Inference;

        using var recognizer = EmotionRecognizer.LoadDefault();
        ImagePrediction result = recognizer.Predict(args[0]);
        if (!result.Succeeded) { Console.Error.WriteLine(result.Error); return 1; }
        foreach (var face in result.Faces)
            Console.WriteLine($"{face.Box.X},{face.Box.Y} {face.Box.Width}x{face.Box.Height}: {face.Emotion} {face.Confidence:F2} " +
                string.Join(' ', face.Probabilities.Select(p => $"{p.Key}={p.Value:R}")));
        return 0;
        """;

    [Fact]
    public async Task A_fresh_console_app_outside_the_repository_predicts_happy_on_astronaut_png_from_the_packed_Mien_package()
    {
        var clock = Stopwatch.StartNew();
        using var app = new ConsumerApp();
        string version = await app.PackAsync("src/Mien/Mien.csproj", "Mien");
        var packed = clock.Elapsed;

        using (var nupkg = ZipFile.OpenRead(Path.Combine(app.Feed, $"Mien.{version}.nupkg")))
        {
            var names = nupkg.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var required in new[] { "lib/net10.0/Mien.dll", "lib/net10.0/Mien.xml", "README.md", "LICENSE", "runtime.json",
                         "buildTransitive/Mien.targets", "buildTransitive/WeakenGlibcxxVersions.targets", "buildTransitive/MienRuntimeCheck.targets" })
                Assert.Contains(required, names);
            using var nuspec = new StreamReader(nupkg.GetEntry("Mien.nuspec")!.Open());
            string spec = nuspec.ReadToEnd();
            // The natives are per RID (runtime.json), never the packing machine's OS frozen into the dependencies.
            Assert.DoesNotContain("libtorch-cpu-linux-x64", spec);
            Assert.DoesNotContain("OpenCvSharp4.official.runtime", spec);
            Assert.Contains("<license type=\"expression\">MIT</license>", spec);
        }
        Assert.True(File.Exists(Path.Combine(app.Feed, $"Mien.{version}.snupkg")), "no symbols package");

        await app.CreateAsync(Program, ("Mien", version));
        string stdout = await app.BuildAndRunAsync(TestData.Shared("photos/astronaut.png"));
        output.WriteLine($"pack {packed.TotalSeconds:F0} s, total {clock.Elapsed.TotalSeconds:F0} s\n{stdout}");

        Assert.Contains(": happy ", stdout);
        // The loader fix ran in the consumer's build: its copy of the glue library differs from the NuGet cache's.
        string glue = Path.Combine(app.AppDir, "bin", "Release", "net10.0", "linux-x64", "libLibTorchSharp.so");
        Assert.True(File.Exists(glue), "the linux-x64 natives did not reach the consumer (runtime.json)");
        if (GlueLacksSystemVersion)
            Assert.False(File.ReadAllBytes(glue).AsSpan().SequenceEqual(File.ReadAllBytes(NuGetCacheGlue)),
                "the consumer's libLibTorchSharp.so is the NuGet cache's, unpatched: the buildTransitive loader fix did not run");
    }

    private static string NuGetCacheGlue => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        ".nuget", "packages", "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    // True on Debian 12 and the like: the system libstdc++ lacks GCC 13's GLIBCXX_3.4.32, so the fix must have patched.
    private static bool GlueLacksSystemVersion
    {
        get
        {
            const string lib = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
            return File.Exists(lib) && File.Exists(NuGetCacheGlue)
                && !System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(lib)).Contains("GLIBCXX_3.4.32\0", StringComparison.Ordinal);
        }
    }
}

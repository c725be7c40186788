using System.IO.Compression;
using OpenCvSharp;

namespace Mien.Tests;

/// <summary>Paths to the shared real datasets (../shared/data beside the repo) and small generated ones.</summary>
internal static class TestData
{
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mien.sln"))) dir = dir.Parent;
            Assert.True(dir is not null, $"Could not find the repository root (a folder with Mien.sln) above {AppContext.BaseDirectory}.");
            return dir!.FullName;
        }
    }

    public static string Shared(string name)
    {
        var path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", name));
        Assert.True(File.Exists(path) || Directory.Exists(path), $"Shared test data missing: {path}. ../shared/data must sit beside the repository.");
        return path;
    }

    public static string CkPlusZip => Shared("ckplus48.zip");
    public static string Fer2013Zip => Shared("fer2013.zip");

    /// <summary>
    /// FER2013's PublicTest images alone (3,589, split "test"), copied once per test run out of fer2013.zip: tests that
    /// need a real held-out set then decode 3.6k images, not 32k.
    /// </summary>
    public static string Fer2013PublicTestZip => PublicTest.Value;

    private static readonly Lazy<string> PublicTest = new(() =>
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mien-test-fer2013-publictest-{Environment.ProcessId}.zip");
        using (var source = ZipFile.OpenRead(Fer2013Zip))
        using (var target = ZipFile.Open(path, ZipArchiveMode.Create))
            foreach (var e in source.Entries.Where(e => e.FullName.StartsWith("test/", StringComparison.Ordinal) && e.Length > 0))
            {
                using var from = e.Open();
                using var to = target.CreateEntry(e.FullName, CompressionLevel.NoCompression).Open();
                from.CopyTo(to);
            }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    });

    /// <summary>A fresh temporary folder, removed when disposed.</summary>
    public static TempDir NewTempDir() => new();

    /// <summary>Writes a class-per-folder tree of random-pattern PNGs: {class: count}.</summary>
    public static void WriteClassTree(string root, IReadOnlyDictionary<string, int> classes, int size = 48, int seed = 1)
    {
        var rng = new Random(seed);
        foreach (var (cls, count) in classes)
        {
            Directory.CreateDirectory(Path.Combine(root, cls));
            for (int i = 0; i < count; i++)
            {
                using var m = new Mat(size, size, MatType.CV_8UC1);
                var bytes = new byte[size * size];
                rng.NextBytes(bytes);
                System.Runtime.InteropServices.Marshal.Copy(bytes, 0, m.Data, bytes.Length);
                Cv2.ImWrite(Path.Combine(root, cls, $"S{100 + i % 5:D3}_001_{i:D8}.png"), m);
            }
        }
    }

    public static void Zip(string folder, string zipPath) => ZipFile.CreateFromDirectory(folder, zipPath, CompressionLevel.Fastest, includeBaseDirectory: true);
}

internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mien-test-" + Guid.NewGuid().ToString("N")[..8]);
    public TempDir() => Directory.CreateDirectory(Path);
    public string this[string name] => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}

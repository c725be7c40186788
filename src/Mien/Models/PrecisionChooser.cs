using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mien.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// What <see cref="InferencePrecision.Auto"/> means for one network on one CPU, decided by measurement: native bf16
/// instructions do not make bf16 faster everywhere (on an AMD Zen 4 it doubled vgg-small's throughput; on a 2-core
/// Xeon with AVX512-BF16 but no AMX it was 26 % slower than fp32). Both plans are compiled and timed on a batch of
/// faces (batch 1 and 64, best of 5 interleaved runs each); bf16 is kept only if it is faster at both. A CPU without native bf16 gets fp32 without a measurement (emulated bf16 is slow).
/// The choice is cached per process and in <c>precision.json</c> in the cache folder (<c>MIEN_CACHE_DIR</c>, else
/// <c>$XDG_CACHE_HOME/mien</c> or <c>~/.cache/mien</c>), keyed by CPU model, network, input size and thread count, so
/// a command pays for the measurement once per machine (about 0.1-2 s, depending on the network).
/// </summary>
internal static class PrecisionChooser
{
    /// <summary>Environment variable naming the cache folder.</summary>
    public const string CacheDirectoryVariable = "MIEN_CACHE_DIR";
    private const int Batch = 64, Runs = 5;
    private static readonly ConcurrentDictionary<string, InferencePrecision> Memory = new();
    private static readonly Lock FileLock = new();

    /// <summary>The faster of the float32 and bfloat16 plans of <paramref name="network"/> (the other is disposed); null when it cannot be compiled.</summary>
    public static InferencePlan? CompileFastest(nn.Module<Tensor, Tensor> network, ModelMetadata meta, Func<nn.Module, InferencePrecision, InferencePlan?> compile)
    {
        if (!CpuFeatures.HasNativeBFloat16) return compile(network, InferencePrecision.Float32);
        string key = Key(meta);
        if (Memory.TryGetValue(key, out var known) || TryReadCache(key, out known)) return compile(network, known);
        var fp32 = compile(network, InferencePrecision.Float32);
        if (fp32 is null) return null; // not compilable: the network runs as it is
        var bf16 = compile(network, InferencePrecision.BFloat16);
        if (bf16 is null) return fp32;
        // Best of interleaved runs (both see the same machine load), at batch 1 (a photo) and batch 64 (a folder, a video).
        var best = new double[2, 2]; // [precision, batch] seconds per face
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) best[i, j] = double.MaxValue;
        using (var scope = torch.NewDisposeScope())
        using (torch.inference_mode())
        {
            var xs = new[] { 1, Batch }.Select(n => MemoryLayout.GreyAsChannelsLast(torch.randn(n, 1, meta.InputSize, meta.InputSize))).ToArray();
            foreach (var x in xs) { fp32.Forward(x); bf16.Forward(x); } // warm-up: oneDNN primitives are created on first use
            for (int r = 0; r < Runs; r++)
                for (int j = 0; j < 2; j++)
                {
                    int n = j == 0 ? 1 : Batch, reps = j == 0 ? 8 : 1;
                    best[0, j] = Math.Min(best[0, j], Time(fp32, xs[j], reps) / (n * reps));
                    best[1, j] = Math.Min(best[1, j], Time(bf16, xs[j], reps) / (n * reps));
                }
        }
        // bf16 only where it wins both: its answers differ slightly from the trained network's, so it must pay for itself.
        var choice = best[1, 0] < best[0, 0] && best[1, 1] < best[0, 1] ? InferencePrecision.BFloat16 : InferencePrecision.Float32;
        Memory[key] = choice;
        TryWriteCache(key, new CacheEntry(choice.ToString(), Math.Round(1 / best[0, 0]), Math.Round(1 / best[1, 0]),
                                          Math.Round(1 / best[0, 1]), Math.Round(1 / best[1, 1]), DateTime.UtcNow));
        if (choice == InferencePrecision.BFloat16) { fp32.Dispose(); return bf16; }
        bf16.Dispose();
        return fp32;
    }

    private static double Time(InferencePlan plan, Tensor x, int reps)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) plan.Forward(x).Dispose();
        return sw.Elapsed.TotalSeconds;
    }

    internal static string Key(ModelMetadata meta)
    {
        var spec = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(meta.Spec.ToJson())))[..12];
        return $"{CpuFeatures.ModelName} | {meta.Spec.Name} {spec} | {meta.InputSize} px | {torch.get_num_threads()} threads";
    }

    /// <summary>Tests: a cache folder other than the user's.</summary>
    internal static string? CacheDirectoryOverride { get; set; }

    internal static string CacheFile
    {
        get
        {
            string? dir = CacheDirectoryOverride ?? Environment.GetEnvironmentVariable(CacheDirectoryVariable);
            if (string.IsNullOrEmpty(dir))
            {
                string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                dir = Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg, "mien");
            }
            return Path.Combine(dir, "precision.json");
        }
    }

    // A cache that cannot be read or written is no error: the next command measures again.
    private static bool TryReadCache(string key, out InferencePrecision precision)
    {
        precision = InferencePrecision.Float32;
        try
        {
            var entries = ReadEntries();
            if (entries.TryGetValue(key, out var e) && Enum.TryParse(e.Choice, out precision) && precision != InferencePrecision.Auto)
            {
                Memory[key] = precision;
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { }
        return false;
    }

    private static void TryWriteCache(string key, CacheEntry entry)
    {
        try
        {
            lock (FileLock)
            {
                Dictionary<string, CacheEntry> entries;
                try { entries = ReadEntries(); }
                catch (JsonException) { entries = []; }
                entries[key] = entry;
                Directory.CreateDirectory(Path.GetDirectoryName(CacheFile)!);
                IO.MienJson.Write(CacheFile, entries);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static Dictionary<string, CacheEntry> ReadEntries()
    {
        var file = new FileInfo(CacheFile);
        if (!file.Exists || file.Length > 1 << 20) return [];
        return JsonSerializer.Deserialize<Dictionary<string, CacheEntry>>(File.ReadAllText(file.FullName), IO.MienJson.Options) ?? [];
    }

    /// <summary>One measured choice: the winner and both throughputs (faces/s) at batch 1 and 64.</summary>
    internal sealed record CacheEntry(string Choice, double Fp32Batch1, double Bf16Batch1, double Fp32Batch64, double Bf16Batch64, DateTime MeasuredUtc);

    /// <summary>Tests: forget the choices made in this process.</summary>
    internal static void ForgetMeasurements() => Memory.Clear();
}

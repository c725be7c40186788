using System.Runtime.InteropServices;

namespace Mien.Runtime;

/// <summary>What the processor can do natively, for choosing an inference precision.</summary>
public static class CpuFeatures
{
    private static readonly Lazy<bool> BFloat16 = new(DetectBFloat16);

    /// <summary>True when the CPU has bfloat16 dot-product instructions (x86 AVX512-BF16 or AMX-BF16; read from /proc/cpuinfo on Linux).</summary>
    public static bool HasNativeBFloat16 => BFloat16.Value;

    /// <summary>The processor's model name (Linux: /proc/cpuinfo; elsewhere the architecture and core count), for benchmark records and caches.</summary>
    public static string ModelName => Model.Value;

    private static readonly Lazy<string> Model = new(() =>
    {
        try
        {
            if (OperatingSystem.IsLinux())
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                        return line[(colon + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"{RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} cores";
    });

    /// <summary>
    /// False when oneDNN is capped below bf16 (<c>ONEDNN_MAX_CPU_ISA</c>, or the older <c>DNNL_MAX_CPU_ISA</c>, e.g. AVX2 to
    /// run an AVX-512 machine as an AVX2-only one): LibTorch's bf16 is then emulated, so slower than float32, not native.
    /// The values from AVX512_CORE_BF16 up (AVX512_CORE_FP16, AVX512_CORE_AMX, AVX10_*) and DEFAULT keep it.
    /// </summary>
    internal static bool IsaCapAllowsBFloat16(string? cap) =>
        string.IsNullOrWhiteSpace(cap) || cap.Trim().ToUpperInvariant() is var c && (c == "DEFAULT" || c == "ALL" || c.Contains("BF16", StringComparison.Ordinal)
            || c.Contains("FP16", StringComparison.Ordinal) || c.Contains("AMX", StringComparison.Ordinal) || c.StartsWith("AVX10", StringComparison.Ordinal));

    private static bool DetectBFloat16()
    {
        if (!IsaCapAllowsBFloat16(Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA"))) return false;
        // .NET exposes no BF16 intrinsic class to ask; Linux lists the flags. Elsewhere: stay with float32.
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return false;
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
                var flags = line.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries);
                return flags.Contains("avx512_bf16") || flags.Contains("amx_bf16");
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return false;
    }
}

using System.Runtime.InteropServices;

namespace Mien.Runtime;

/// <summary>
/// Process-wide tuning of the C allocator that LibTorch's CPU tensors come from. Call once at start-up, before
/// heavy work; the CLI, the web service and the benchmarks do.
/// <para>
/// Why: glibc serves blocks above its mmap threshold (128 KB at first, adapting up to 32 MB) with fresh
/// <c>mmap</c>s, and gives freed heap tops back to the system. A 48x48 network's activations are 5-75 MB per
/// batch, so every layer of every batch page-faulted in new zeroed memory: measured, that cost a third of the
/// inference time (vgg-small, batch 64: 890 vs 650 faces/s) and more at batch 256. Raising both thresholds
/// keeps the blocks in the heap for reuse; the price is that the process keeps its peak memory.
/// </para>
/// </summary>
public static class NativeAllocator
{
    private const int MTrimThreshold = -1, MMmapThreshold = -3;
    private static int _tuned;

    /// <summary>Keep allocations up to 512 MB in the heap and return freed memory only above 1 GB. True when applied (glibc only; a no-op elsewhere).</summary>
    public static bool Tune()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (Interlocked.Exchange(ref _tuned, 1) == 1) return true;
        try
        {
            return mallopt(MMmapThreshold, 512 << 20) == 1 & mallopt(MTrimThreshold, 1 << 30) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (e.g. musl): nothing to tune
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}

namespace Mien.Runtime;

/// <summary>
/// The product's native settings in one call, first thing in a process that runs networks (the CLI, the web service,
/// the benchmarks and the samples do): <see cref="NativeAllocator"/> (keep big tensor blocks in the heap) and
/// <see cref="NativeThreading"/> (short OpenMP spin, so detection and classification do not fight for the cores).
/// </summary>
public static class NativeRuntime
{
    /// <summary>Applies both settings; returns what the threading step did (the allocator step is a no-op off glibc).</summary>
    public static NativeThreadingResult Tune()
    {
        // Threading first: it must run before LibTorch loads; mallopt works at any time.
        var threading = NativeThreading.Tune();
        NativeAllocator.Tune();
        return threading;
    }
}

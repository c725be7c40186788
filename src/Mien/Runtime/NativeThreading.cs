using System.Globalization;
using System.Runtime.InteropServices;

namespace Mien.Runtime;

/// <summary>
/// Process-wide setting of LibTorch's OpenMP threads (GNU libgomp): how long an idle thread spins before it sleeps.
/// Call once at start-up, before the first network is built or loaded; <see cref="NativeRuntime.Tune"/> does.
/// <para>
/// Why: libgomp's default keeps each idle thread spinning for 300,000 rounds (several milliseconds here) after every
/// parallel region. A photo is a few small network calls with OpenCV and ONNX Runtime work between them, so the
/// spinning threads hold the cores the detector needs next: on a 2-core Zen 5, 640x480 photos with the default settings
/// and 2 threads took p95 11.6-16.1 ms with 2,000 rounds against 14.1-16.7 with libgomp's default, while bf16 batches of
/// 64 lost up to 15 % (docs/BENCHMARKS.md, "OpenMP spin"). Sleeping at once (<c>OMP_WAIT_POLICY=PASSIVE</c>) halves batch-1 speed.
/// </para>
/// </summary>
public static class NativeThreading
{
    /// <summary>The spin count <see cref="Tune"/> sets: short enough to free the cores between calls, long enough to keep a network's back-to-back layers on spinning threads.</summary>
    public const int DefaultSpinCount = 2000;

    /// <summary>The environment variables through which a user's own choice overrides <see cref="Tune"/>.</summary>
    public static readonly IReadOnlyList<string> UserSettings = ["GOMP_SPINCOUNT", "OMP_WAIT_POLICY"];

    private static int _tuned;

    /// <summary>
    /// Sets <c>GOMP_SPINCOUNT</c> for libgomp, which reads it once when LibTorch loads. Does nothing (and says so) on
    /// other systems, when the environment already has <c>GOMP_SPINCOUNT</c> or <c>OMP_WAIT_POLICY</c> (the user's
    /// choice stands), or when libgomp is already loaded (too late: call it first thing).
    /// </summary>
    public static NativeThreadingResult Tune(int spinCount = DefaultSpinCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spinCount);
        if (!OperatingSystem.IsLinux()) return NativeThreadingResult.NotLinux;
        if (Interlocked.Exchange(ref _tuned, 1) == 1) return NativeThreadingResult.AlreadyTuned;
        return Apply(spinCount, Environment.GetEnvironmentVariable, OpenMpLoaded(), setenv);
    }

    /// <summary>The decision of <see cref="Tune"/>, apart from the process it runs in (for tests).</summary>
    internal static NativeThreadingResult Apply(int spinCount, Func<string, string?> environment, bool openMpLoaded, Func<string, string, int, int> setEnvironment)
    {
        if (UserSettings.Any(name => environment(name) is not null)) return NativeThreadingResult.UserSetting;
        if (openMpLoaded) return NativeThreadingResult.TooLate;
        try
        {
            return setEnvironment("GOMP_SPINCOUNT", spinCount.ToString(CultureInfo.InvariantCulture), 0) == 0
                ? NativeThreadingResult.Applied : NativeThreadingResult.Failed;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return NativeThreadingResult.Failed; // no C library to call (not expected on Linux)
        }
    }

    /// <summary>True when a GNU OpenMP library is mapped into this process (LibTorch has been loaded), from /proc/self/maps.</summary>
    public static bool OpenMpLoaded()
    {
        try
        {
            return File.ReadLines("/proc/self/maps").Any(line => line.Contains("/libgomp", StringComparison.Ordinal));
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>The variable as the C library sees it (.NET's <see cref="Environment"/> keeps its own copy on Unix).</summary>
    public static string? NativeVariable(string name) => OperatingSystem.IsLinux() ? Marshal.PtrToStringUTF8(getenv(name)) : null;

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr getenv(string name);
}

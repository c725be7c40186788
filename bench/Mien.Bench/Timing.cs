using System.Diagnostics;

namespace Mien.Bench;

/// <summary>Summary of repeated measurements. Medians, because a background process can stall any one run.</summary>
internal sealed record Stat(double Median, double P95, double Mean, double Min, double Max, int N, double[] Samples)
{
    public static Stat Of(IEnumerable<double> values)
    {
        var s = values.ToArray();
        var sorted = s.Order().ToArray();
        double Q(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Stat(MedianOf(sorted), Q(0.95), s.Average(), sorted[0], sorted[^1], s.Length, s);
    }

    private static double MedianOf(double[] sorted) => sorted.Length % 2 == 1
        ? sorted[sorted.Length / 2]
        : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

internal static class Timing
{
    /// <summary>Items per second of each timed run of <paramref name="run"/>, after <paramref name="warmup"/> untimed runs.</summary>
    public static Stat Throughput(int warmup, int runs, int itemsPerRun, Action run)
    {
        for (int i = 0; i < warmup; i++) run();
        var rates = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            rates[i] = itemsPerRun / sw.Elapsed.TotalSeconds;
        }
        return Stat.Of(rates);
    }

    /// <summary>Milliseconds per call of <paramref name="call"/>, after <paramref name="warmup"/> untimed calls.</summary>
    public static Stat Latency(int warmup, int runs, Action call)
    {
        for (int i = 0; i < warmup; i++) call();
        var ms = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            call();
            ms[i] = sw.Elapsed.TotalMilliseconds;
        }
        return Stat.Of(ms);
    }
}

using Mien.Inference.Tracking;
using ScottPlot;

namespace Mien.Reporting;

/// <summary>The charts of a video report (ScottPlot, PNG bytes).</summary>
public static class VideoPlots
{
    /// <summary>
    /// One track's emotions over time: a line per emotion for the smoothed probability, faint dots for the raw ones,
    /// so the plot shows both what the model said frame by frame and what the smoothing made of it.
    /// </summary>
    public static byte[] Track(TrackTimeline timeline, int trackId)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var rows = timeline.Series(trackId);
        PlotFonts.Register();
        using var plt = new Plot();
        plt.Title($"Track {trackId}", 15);
        plt.XLabel("time (s)", 13);
        plt.YLabel("probability", 13);
        var t = rows.Select(r => r.Time).ToArray();
        // A line would bridge the time the face was not seen as if it had been: lines break where frames are missing
        // (a gap over three times the usual step, at least half a second).
        var steps = t.Zip(t.Skip(1), (a, b) => b - a).Order().ToArray();
        double gap = Math.Max(0.5, 3 * (steps.Length > 0 ? steps[steps.Length / 2] : 0));
        var segments = new List<(int From, int To)>();
        for (int i = 0, start = 0; i < t.Length; i++)
            if (i == t.Length - 1 || t[i + 1] - t[i] > gap) { segments.Add((start, i + 1)); start = i + 1; }
        for (int c = 0; c < timeline.ClassNames.Count; c++)
        {
            var color = Color.FromHex(ColorOf(timeline.ClassNames[c]));
            var raw = plt.Add.ScatterPoints(t, rows.Select(r => (double)r.Raw[c]).ToArray(), color.WithAlpha(0.4));
            raw.MarkerSize = 4;
            foreach (var (from, to) in segments)
            {
                var line = plt.Add.ScatterLine(t[from..to], rows.Skip(from).Take(to - from).Select(r => (double)r.Smoothed[c]).ToArray(), color);
                line.LineWidth = 2;
                if (from == 0) line.LegendText = timeline.ClassNames[c];
            }
        }
        plt.Axes.SetLimitsY(-0.02, 1.02);
        plt.ShowLegend(Edge.Right); // outside the data: the lines fill the whole height
        return plt.GetImageBytes(880, 360, ImageFormat.Png);
    }

    /// <summary>The same hue per emotion as the annotated images and video (hex RGB).</summary>
    internal static string ColorOf(string emotion) => emotion switch
    {
        "happy" => "#3ca03c",
        "surprise" => "#e6a000",
        "anger" => "#d22828",
        "sadness" => "#286ec8",
        "fear" => "#a03ca0",
        "disgust" => "#787828",
        "contempt" => "#a05a5a",
        _ => "#787878",
    };
}

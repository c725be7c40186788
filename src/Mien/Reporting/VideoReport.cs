using Mien.Inference.Tracking;
using Mien.IO;
using static Mien.Reporting.ReportParts;

namespace Mien.Reporting;

/// <summary>
/// The HTML report of a video (<c>mien video --report</c>), self-contained like the training report: the clip's
/// figures, per person (track) the share of time per emotion, and each track's timeline plot.
/// </summary>
public static class VideoReport
{
    /// <summary>Writes the report to <paramref name="path"/> (atomically) and returns the path.</summary>
    /// <param name="source">The video file or camera, as given.</param>
    /// <param name="timeline">What the clip's tracked frames said.</param>
    /// <param name="framesRead">Frames read from the source, classified or not.</param>
    /// <param name="elapsed">Wall time of the run.</param>
    /// <param name="sourceFps">The source's frame rate (0 when unknown), for the real-time factor.</param>
    public static string Write(string path, string source, TrackTimeline timeline, int framesRead, TimeSpan elapsed, double sourceFps)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var summaries = timeline.Summaries();
        var html = new HtmlReport($"Mien video report: {Path.GetFileName(source)}");
        double fps = framesRead / Math.Max(elapsed.TotalSeconds, 1e-9);
        html.Cards(
        [
            ("people (tracks)", summaries.Count.ToString(Ci)),
            ("frames read", framesRead.ToString(Ci)),
            ("frames classified", timeline.Frames.ToString(Ci)),
            ("cuts", timeline.Cuts.ToString(Ci)),
            ("frames/s", fps.ToString("F1", Ci)),
            ("real-time factor", sourceFps > 0 ? (fps / sourceFps).ToString("F2", Ci) + "x" : "-"),
            ("run time", Duration(elapsed)),
        ]);
        html.Heading("Share of time per emotion", "Per track: the share of its classified frames on which each emotion was the smoothed top one.");
        if (summaries.Count == 0) html.Paragraph("No face was found.");
        else
            html.Table(["track", "from (s)", "to (s)", "frames", "dominant", .. timeline.ClassNames],
                summaries.Select(s => (IReadOnlyList<string>)[s.TrackId.ToString(Ci), s.StartSeconds.ToString("F2", Ci), s.EndSeconds.ToString("F2", Ci),
                    s.Frames.ToString(Ci), s.Dominant, .. timeline.ClassNames.Select(c => Pct(s.Share[c]))]));
        if (summaries.Count > 0)
        {
            html.Heading("Emotions over time", "Lines: smoothed probabilities; dots: the model's raw value on each frame.");
            html.Figures(summaries.Select(s => (VideoPlots.Track(timeline, s.TrackId), $"track {s.TrackId}", (string?)$"Track {s.TrackId}: {s.StartSeconds:F1}-{s.EndSeconds:F1} s, mostly {s.Dominant}")));
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            html.Write(path, $"Source {source} · written {DateTime.Now:yyyy-MM-dd HH:mm}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new MienException($"cannot write the report '{path}': {e.Message}", e); }
        return path;
    }
}

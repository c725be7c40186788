namespace Mien.Inference.Tracking;

/// <summary>
/// Collects a clip's tracked frames in memory for the per-track summary and plots (a few dozen bytes per face and
/// frame: an hour of one face at 25 fps is ~10 MB). <see cref="TimelineWriter"/> streams the same rows to a file.
/// </summary>
public sealed class TrackTimeline(IReadOnlyList<string> classNames)
{
    private readonly SortedDictionary<int, List<(double Time, float[] Raw, float[] Smoothed)>> _tracks = [];

    /// <summary>The model's classes, in the order of every probability array here.</summary>
    public IReadOnlyList<string> ClassNames { get; } = classNames;

    /// <summary>Frames added.</summary>
    public int Frames { get; private set; }

    /// <summary>Frames added that started a new shot.</summary>
    public int Cuts { get; private set; }

    /// <summary>The ids of every track seen, in order.</summary>
    public IReadOnlyList<int> TrackIds => _tracks.Keys.ToList();

    /// <summary>Adds the next classified frame.</summary>
    public void Add(TrackedFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Frames++;
        if (frame.Cut) Cuts++;
        foreach (var f in frame.Faces)
        {
            if (!_tracks.TryGetValue(f.TrackId, out var rows)) _tracks[f.TrackId] = rows = [];
            rows.Add((frame.TimeSeconds, ClassNames.Select(c => f.Raw.Probabilities[c]).ToArray(), ClassNames.Select(c => f.Smoothed[c]).ToArray()));
        }
    }

    /// <summary>A track's times with its raw and smoothed probabilities (class order of <see cref="ClassNames"/>).</summary>
    public IReadOnlyList<(double Time, float[] Raw, float[] Smoothed)> Series(int trackId) =>
        _tracks.TryGetValue(trackId, out var rows) ? rows : throw new ArgumentException($"No track {trackId}.", nameof(trackId));

    /// <summary>Every track's summary, by id.</summary>
    public IReadOnlyList<TrackSummary> Summaries() => _tracks.Select(kv =>
    {
        var counts = new double[ClassNames.Count];
        foreach (var (_, _, s) in kv.Value) counts[Array.IndexOf(s, s.Max())]++;
        var share = new Dictionary<string, double>();
        for (int c = 0; c < counts.Length; c++) share[ClassNames[c]] = counts[c] / kv.Value.Count;
        return new TrackSummary(kv.Key, kv.Value[0].Time, kv.Value[^1].Time, kv.Value.Count, share);
    }).ToList();
}

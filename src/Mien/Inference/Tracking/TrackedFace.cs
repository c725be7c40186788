namespace Mien.Inference.Tracking;

/// <summary>
/// One face of a tracked frame: its track, this frame's prediction as the model made it (<paramref name="Raw"/>: box,
/// how the box was found, probabilities) and the track's smoothed probabilities, from which <see cref="Emotion"/> and
/// <see cref="Confidence"/> are taken.
/// </summary>
public sealed record TrackedFace(int TrackId, FacePrediction Raw, IReadOnlyDictionary<string, float> Smoothed)
{
    /// <summary>The smoothed top emotion (the first of equal maxima in the model's class order).</summary>
    public string Emotion { get; } = Top(Smoothed).Key;

    /// <summary>The smoothed probability of <see cref="Emotion"/>.</summary>
    public float Confidence { get; } = Top(Smoothed).Value;

    private static KeyValuePair<string, float> Top(IReadOnlyDictionary<string, float> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        KeyValuePair<string, float> best = default;
        bool first = true;
        foreach (var kv in p)
            if (first || kv.Value > best.Value) { best = kv; first = false; }
        return best;
    }
}

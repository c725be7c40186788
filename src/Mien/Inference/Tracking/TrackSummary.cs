namespace Mien.Inference.Tracking;

/// <summary>
/// One track over a clip: when it was first and last seen, on how many classified frames, and the share of those
/// frames on which each emotion was the smoothed top one (frames are evenly spaced in a video, so it is the share of time).
/// </summary>
public sealed record TrackSummary(int TrackId, double StartSeconds, double EndSeconds, int Frames, IReadOnlyDictionary<string, double> Share)
{
    /// <summary>The emotion with the largest share.</summary>
    public string Dominant => Share.MaxBy(kv => kv.Value).Key;
}

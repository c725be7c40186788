namespace Mien.Inference.Tracking;

/// <summary>How <see cref="FaceTracker"/> follows faces from frame to frame and how <see cref="VideoTracker"/> smooths their emotions.</summary>
public sealed record TrackingOptions
{
    /// <summary>
    /// Run the face detector on every n-th classified frame (1 = all); in between, each face's box follows its
    /// track's motion model and is classified there (<see cref="FaceSource.Tracked"/>). Detection is most of a frame's cost.
    /// </summary>
    public int DetectEvery { get; init; } = 1;

    /// <summary>A detection continues a track when its box overlaps the track's predicted box by at least this IoU.</summary>
    public double MinIou { get; init; } = 0.3;

    /// <summary>
    /// ... or, failing that, when its centre lies within this fraction of the track's box size of the predicted centre
    /// (a face that moved fast, or was missed for a while, overlaps little but is still close).
    /// </summary>
    public double MaxCentreDistance { get; init; } = 0.5;

    /// <summary>
    /// A track not seen by the detector for this long ends; a face found later gets a new id. DeepSORT keeps tracks
    /// for 70 frames (~2.8 s at 25 fps): cascades miss turned or blurred faces for a second or two.
    /// </summary>
    public double MaxMissedSeconds { get; init; } = 3.0;

    /// <summary>
    /// A cut (a new shot) is declared when a frame's grey thumbnail differs from the previous one by more than this mean
    /// absolute difference (0-255); every track then ends, because a box at the same place after a cut is not
    /// evidence of the same person. 0 turns cut detection off. Measured on Megamind.avi: consecutive frames of a shot differ
    /// by less than 8, its three cuts (same restaurant, same light) by 40-44, its fade-in from black by 34; a lower threshold
    /// catches cuts between similar shots at the risk of splitting a fast pan.
    /// </summary>
    public double CutThreshold { get; init; } = 35;

    /// <summary>
    /// Time constant of the exponential moving average over each track's probabilities, in seconds (0 = no smoothing).
    /// Time-based rather than per frame, so the same value smooths a 25 fps file, a 10 fps camera and --every 5 alike.
    /// </summary>
    public double SmoothingSeconds { get; init; } = 0.5;

    internal void Validate()
    {
        if (DetectEvery < 1) throw new ArgumentOutOfRangeException(nameof(DetectEvery), DetectEvery, "Must be >= 1.");
        if (MinIou is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MinIou), MinIou, "Must be in (0, 1].");
        if (MaxCentreDistance < 0) throw new ArgumentOutOfRangeException(nameof(MaxCentreDistance), MaxCentreDistance, "Must be >= 0.");
        if (!(MaxMissedSeconds >= 0)) throw new ArgumentOutOfRangeException(nameof(MaxMissedSeconds), MaxMissedSeconds, "Must be >= 0.");
        if (!(CutThreshold >= 0)) throw new ArgumentOutOfRangeException(nameof(CutThreshold), CutThreshold, "Must be >= 0 (0 = off).");
        if (!(SmoothingSeconds >= 0)) throw new ArgumentOutOfRangeException(nameof(SmoothingSeconds), SmoothingSeconds, "Must be >= 0 (0 = off).");
    }
}

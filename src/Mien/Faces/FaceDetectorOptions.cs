namespace Mien.Faces;

/// <summary>Which face detector to use and how. See FaceDetectors.Create (Mien; Mien.Onnx runs the "tiny" detector only).</summary>
public sealed record FaceDetectorOptions
{
    /// <summary>
    /// "haar-default", "haar-alt", "haar-alt2", "lbp" (lbpcascade_frontalface_improved), a path to a cascade
    /// XML file, "yunet:&lt;path to model .onnx&gt;", "tiny" (a small embedded CNN, docs/BENCHMARKS.md "Face detectors"),
    /// or several joined by '+', tried in turn until one finds a face.
    /// </summary>
    /// <remarks>
    /// "tiny+haar-alt" by default: the CNN finds more faces than the cascade (turned, smaller, in film frames) and takes
    /// about half its time on a 640x480 photo; haar-alt, tried only when the CNN finds none, catches the tight frontal
    /// crops the CNN misses. End to end on dataset faces set in 640x480 frames, the chain read more of them right than
    /// either detector alone but one (CK+48 at 160 px: 98.8 % against haar-alt's 99.3 %; docs/BENCHMARKS.md). Of the
    /// cascades, haar-alt reports no false boxes on the test photos (haar-default put a "face" on astronaut.png's
    /// shoulder patch).
    /// </remarks>
    public string Detector { get; init; } = DefaultDetector;

    /// <summary>Joins detector names into a chain ("tiny+haar-alt"), in both packages.</summary>
    internal const char ChainSeparator = '+';

    /// <summary>The detector used when none is named.</summary>
    public const string DefaultDetector = "tiny+haar-alt";

    /// <summary>If set, named cascades are looked up only here (directly or in haarcascades/ or lbpcascades/ below it).</summary>
    public string? CascadeDirectory { get; init; }

    /// <summary>
    /// Smallest face side to report, in pixels of the full-resolution image. The default is the models' input size
    /// (48): a smaller face holds less detail than the network was trained on. Cascades also detect at the coarsest
    /// resolution that still finds a face this small, so lowering it finds smaller faces at a cost in time.
    /// </summary>
    public int MinFaceSize { get; init; } = 48;

    /// <summary>
    /// Cascade pyramid step; smaller finds more sizes but is slower. 1.2 rather than OpenCV's 1.1: about half the
    /// time (docs/BENCHMARKS.md), and the neighbouring scales still overlap enough to find frontal faces.
    /// </summary>
    public double ScaleFactor { get; init; } = 1.2;

    /// <summary>Cascade: raw hits a face needs to be kept; higher means fewer false positives.</summary>
    public int MinNeighbors { get; init; } = 5;

    /// <summary>
    /// The image is downscaled so its longer side is at most this before detection (0 = never); boxes are mapped
    /// back to full resolution. Detection cost grows with pixel count, and faces big enough to classify survive it.
    /// </summary>
    public int MaxDetectionSide { get; init; } = 640;

    /// <summary>Cascade: equalize the gray histogram first, which helps in dim or low-contrast photos.</summary>
    public bool EqualizeHistogram { get; init; } = true;

    /// <summary>
    /// When the overlap of two boxes covers more than this fraction of the smaller one, only the higher-scored box
    /// is kept (a second box over the same face would be classified twice). 1 or more disables it.
    /// </summary>
    public double MaxOverlap { get; init; } = 0.3;

    /// <summary>
    /// tiny: the largest side of its network input (a multiple of 32; the other side follows the photo's shape). The
    /// photo is scaled so that a face of <see cref="MinFaceSize"/> spans the 40 px the network needs, within this bound:
    /// the cost grows with the input's area (a 640x480 photo: ~2 ms at 320x256, 8-10 ms at 544x416 on two cores).
    /// </summary>
    public int NetworkInputSize { get; init; } = 640;

    /// <summary>CNN detectors: minimum network score for a face; null = the detector's own (tiny 0.5, as face-api.js; YuNet 0.9).</summary>
    public float? MinScore { get; init; }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Detector)) throw new ArgumentException("Detector must be named.", nameof(Detector));
        if (MinFaceSize < 0) throw new ArgumentOutOfRangeException(nameof(MinFaceSize), MinFaceSize, "Must be >= 0.");
        if (!(ScaleFactor > 1.0)) throw new ArgumentOutOfRangeException(nameof(ScaleFactor), ScaleFactor, "Must be > 1.");
        if (MinNeighbors < 0) throw new ArgumentOutOfRangeException(nameof(MinNeighbors), MinNeighbors, "Must be >= 0.");
        if (MaxDetectionSide < 0) throw new ArgumentOutOfRangeException(nameof(MaxDetectionSide), MaxDetectionSide, "Must be >= 0 (0 = no downscaling).");
        if (!(MaxOverlap > 0)) throw new ArgumentOutOfRangeException(nameof(MaxOverlap), MaxOverlap, "Must be > 0.");
        if (NetworkInputSize is < 128 or > 1024 || NetworkInputSize % 32 != 0)
            throw new ArgumentOutOfRangeException(nameof(NetworkInputSize), NetworkInputSize, "Must be a multiple of 32 in 128..1024.");
        if (MinScore is { } score && score is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MinScore), MinScore, "Must be in [0, 1].");
    }
}

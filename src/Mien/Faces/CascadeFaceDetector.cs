using OpenCvSharp;

namespace Mien.Faces;

/// <summary>Face detection with an OpenCV Haar or LBP cascade (fast, CPU-only, frontal faces).</summary>
internal sealed class CascadeFaceDetector : IFaceDetector
{
    /// <summary>Short names for the frontal-face cascades that Debian's opencv-data ships.</summary>
    public static IReadOnlyDictionary<string, string> KnownCascades { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["haar-default"] = "haarcascades/haarcascade_frontalface_default.xml",
        ["haar-alt"] = "haarcascades/haarcascade_frontalface_alt.xml",
        ["haar-alt2"] = "haarcascades/haarcascade_frontalface_alt2.xml",
        ["lbp"] = "lbpcascades/lbpcascade_frontalface_improved.xml",
    };

    /// <summary>Environment variable naming an extra folder of cascade XML files.</summary>
    public const string CascadeDirectoryVariable = "MIEN_CASCADES";

    // Same grouping tolerance OpenCV's DetectMultiScale uses internally (GROUP_EPS), so results match it.
    private const double GroupEps = 0.2;

    private readonly FaceDetectorOptions options;
    private readonly CascadeClassifier cascade;
    // CascadeClassifier keeps per-call scratch state, so one instance must not run two detections at once.
    private readonly Lock gate = new();
    private bool disposed;

    public CascadeFaceDetector(FaceDetectorOptions? options = null)
    {
        this.options = options ?? new FaceDetectorOptions();
        this.options.Validate();
        CascadePath = ResolveCascadePath(this.options.Detector, this.options.CascadeDirectory);
        cascade = new CascadeClassifier();
        if (!cascade.Load(CascadePath) || cascade.Empty())
        {
            cascade.Dispose();
            throw new InvalidDataException($"'{CascadePath}' is not a cascade classifier OpenCV can load.");
        }
        var size = cascade.GetOriginalWindowSize();
        window = Math.Max(size.Width, size.Height);
    }

    // The cascade's training window (24 px for the Haar face cascades, 45 for the improved LBP one): the smallest
    // face it can find at a given resolution.
    private readonly int window;

    /// <summary>The cascade file in use.</summary>
    public string CascadePath { get; }

    /// <summary>True for a known cascade name or anything that looks like a path to a cascade XML file.</summary>
    public static bool Handles(string detector) =>
        KnownCascades.ContainsKey(detector) || detector.EndsWith(".xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Folders searched for named cascades, in order.</summary>
    public static IReadOnlyList<string> SearchDirectories(string? cascadeDirectory = null)
    {
        // An explicit directory is an override: searching elsewhere too would silently pick a different file.
        if (!string.IsNullOrEmpty(cascadeDirectory)) return [cascadeDirectory];
        var dirs = new List<string>();
        if (Environment.GetEnvironmentVariable(CascadeDirectoryVariable) is { Length: > 0 } env) dirs.Add(env);
        dirs.AddRange(["/usr/share/opencv4", "/usr/share/opencv", "/usr/local/share/opencv4"]);
        return dirs;
    }

    /// <summary>Turns a detector name or path into an existing cascade file, or throws <see cref="FileNotFoundException"/>.</summary>
    public static string ResolveCascadePath(string detector, string? cascadeDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(detector);
        if (!KnownCascades.TryGetValue(detector, out var relative))
        {
            if (File.Exists(detector)) return Path.GetFullPath(detector);
            throw new FileNotFoundException(
                $"Cascade file '{detector}' not found. Pass an existing cascade XML file, or one of: {string.Join(", ", KnownCascades.Keys)}.",
                detector);
        }

        // Accept both the packaged layout (<dir>/haarcascades/x.xml) and a flat folder of XML files (<dir>/x.xml).
        var fileName = Path.GetFileName(relative);
        var candidates = SearchDirectories(cascadeDirectory)
            .SelectMany(d => new[] { Path.Combine(d, relative), Path.Combine(d, fileName) })
            .Distinct()
            .ToList();
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            $"Cascade '{fileName}' for detector '{detector}' not found. Searched: {string.Join(", ", candidates)}. " +
            $"Install Debian's opencv-data package (apt-get install opencv-data), set {CascadeDirectoryVariable} to a folder " +
            "holding the cascade XML files, or pass a cascade file path as the detector.",
            fileName);
    }

    public IReadOnlyList<FaceBox> Detect(Mat image)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var gray = DetectionImage.Prepare(image, options.MaxDetectionSide, color: false, out double scale, window, options.MinFaceSize);
        if (options.EqualizeHistogram) Cv2.EqualizeHist(gray, gray);
        int minSide = Math.Max(1, (int)Math.Floor(options.MinFaceSize * scale + 1e-9));

        Rect[] raw;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            // minNeighbors 0 returns the ungrouped hits; grouping them ourselves (as OpenCV would) also yields the
            // neighbour counts, which become the score.
            raw = cascade.DetectMultiScale(gray, options.ScaleFactor, 0, 0, new Size(minSide, minSide));
        }

        var rects = raw.ToList();
        Cv2.GroupRectangles(rects, out int[] neighbours, options.MinNeighbors, GroupEps);
        var boxes = rects.Select((r, i) => DetectionImage.ToFullResolution(r, scale, i < neighbours.Length ? neighbours[i] : 1));
        return BoxGeometry.Finish(boxes, options);
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            cascade.Dispose();
        }
    }
}

namespace Mien.Faces;

/// <summary>Creates face detectors by name. Adding a detector kind is one class plus one line in <see cref="Kinds"/>.</summary>
public static class FaceDetectors
{
    private static readonly Lock Gate = new();

    // First match wins; Register puts user kinds in front so they can override built-in names.
    private static readonly List<(Func<string, bool> Handles, Func<FaceDetectorOptions, IFaceDetector> Create)> Kinds =
    [
        (ChainedFaceDetector.Handles, o => new ChainedFaceDetector(o)),
        (TinyFaceDetector.Handles, o => new TinyFaceDetector(o)),
        (YuNetFaceDetector.Handles, o => new YuNetFaceDetector(o)),
        (CascadeFaceDetector.Handles, o => new CascadeFaceDetector(o)),
    ];

    /// <summary>Detector names for help texts.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [TinyFaceDetector.Name, .. CascadeFaceDetector.KnownCascades.Keys, "<path to cascade .xml>", YuNetFaceDetector.Prefix + "<path to model .onnx>", "<a>+<b> (the first that finds a face)"];

    /// <summary>Creates the detector that <see cref="FaceDetectorOptions.Detector"/> names (default: <see cref="FaceDetectorOptions.DefaultDetector"/>).</summary>
    /// <exception cref="ArgumentException">No detector kind accepts the name.</exception>
    /// <exception cref="FileNotFoundException">The cascade or model file is missing.</exception>
    public static IFaceDetector Create(FaceDetectorOptions? options = null)
    {
        options ??= new FaceDetectorOptions();
        options.Validate();
        Func<FaceDetectorOptions, IFaceDetector>? create;
        lock (Gate) create = Kinds.FirstOrDefault(k => k.Handles(options.Detector)).Create;
        return create?.Invoke(options) ?? throw new ArgumentException(
            $"Unknown face detector '{options.Detector}'. Known: {string.Join(", ", Names)}.", nameof(options));
    }

    /// <summary>Adds a detector kind, consulted before the built-in ones.</summary>
    public static void Register(Func<string, bool> handles, Func<FaceDetectorOptions, IFaceDetector> create)
    {
        ArgumentNullException.ThrowIfNull(handles);
        ArgumentNullException.ThrowIfNull(create);
        lock (Gate) Kinds.Insert(0, (handles, create));
    }
}

using OpenCvSharp;

namespace Mien.Faces;

/// <summary>
/// Detectors tried in turn, named with '+' ("tiny+haar-alt"): the boxes of the first one that finds a face. The CNN
/// first because it is the fast one where a face is found and finds more turned and smaller faces; the cascade after it
/// because it finds the frontal, tightly framed faces the CNN misses (dataset crops set in a frame: at 96 px, 378 of 400
/// CK+48 faces against 241; docs/BENCHMARKS.md, "Face detectors end to end"). Each detector gets the same options with
/// its own name. A photo without a face pays for every detector; one with a face, only for those before the first hit.
/// </summary>
internal sealed class ChainedFaceDetector : IFaceDetector
{
    public const char Separator = FaceDetectorOptions.ChainSeparator;

    private readonly IFaceDetector[] detectors;

    public ChainedFaceDetector(FaceDetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = options.Detector.Split(Separator, StringSplitOptions.TrimEntries);
        if (names.Any(n => n.Length == 0))
            throw new ArgumentException($"Face detector '{options.Detector}': an empty name between '{Separator}'s.", nameof(options));
        var made = new List<IFaceDetector>(names.Length);
        try
        {
            foreach (var name in names) made.Add(FaceDetectors.Create(options with { Detector = name }));
        }
        catch
        {
            foreach (var d in made) d.Dispose();
            throw;
        }
        detectors = [.. made];
    }

    /// <summary>A name with '+' that is not itself a file (a cascade path may hold a '+').</summary>
    public static bool Handles(string detector) => detector.Contains(Separator) && !File.Exists(detector);

    public IReadOnlyList<FaceBox> Detect(Mat image)
    {
        IReadOnlyList<FaceBox> boxes = [];
        foreach (var d in detectors)
        {
            boxes = d.Detect(image);
            if (boxes.Count > 0) break;
        }
        return boxes;
    }

    public void Dispose()
    {
        foreach (var d in detectors) d.Dispose();
    }
}

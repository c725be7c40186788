using OpenCvSharp;

namespace Mien.Faces;

/// <summary>
/// Measures a face's roll (head tilt) from its two eyes, found with OpenCV's Haar eye cascade inside the upper part of
/// the face box, so <see cref="FaceCropper.Crop(Mat, FaceBox, FaceCropOptions?, double)"/> can level the eyes. Tilted
/// faces then reach the model framed like its (mostly upright) training faces. Thread-safe; dispose to free the cascade.
/// </summary>
public sealed class EyeAligner : IDisposable
{
    /// <summary>The eye cascade's file name in OpenCV's haarcascades folder (Debian package opencv-data).</summary>
    public const string CascadeFileName = "haarcascade_eye.xml";

    // Beyond this the pair found is more likely an eye and an eyebrow/nostril than a tilted head; frontal-face cascades
    // rarely fire on heads rolled further anyway.
    private const double MaxRollDegrees = 30;

    private readonly CascadeClassifier cascade;
    private readonly Lock gate = new();
    private bool disposed;

    /// <param name="cascadeDirectory">Where to look for <see cref="CascadeFileName"/> first (default: the standard OpenCV folders).</param>
    /// <exception cref="FileNotFoundException">The eye cascade is not installed; the message says where it was looked for.</exception>
    public EyeAligner(string? cascadeDirectory = null)
    {
        var candidates = CascadeFaceDetector.SearchDirectories(cascadeDirectory)
            .SelectMany(d => new[] { Path.Combine(d, "haarcascades", CascadeFileName), Path.Combine(d, CascadeFileName) })
            .ToList();
        CascadePath = candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            $"Eye cascade '{CascadeFileName}' for eye alignment not found. Searched: {string.Join(", ", candidates)}. " +
            "Install Debian's opencv-data package (apt-get install opencv-data).", CascadeFileName);
        cascade = new CascadeClassifier();
        if (!cascade.Load(CascadePath) || cascade.Empty())
        {
            cascade.Dispose();
            throw new InvalidDataException($"'{CascadePath}' is not a cascade classifier OpenCV can load.");
        }
    }

    /// <summary>The eye cascade file in use.</summary>
    public string CascadePath { get; }

    /// <summary>
    /// The angle in degrees by which the face in <paramref name="box"/> is rolled: positive when the eye on the image's
    /// right sits lower (the head leans clockwise). Null when two plausible eyes are not found; callers then crop as is.
    /// </summary>
    public double? FindRollDegrees(Mat image, FaceBox box)
    {
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(disposed, this);
        // Eyes sit in the upper ~60% of a frontal-face box.
        var region = new Rect(box.X, box.Y, box.Width, (int)(box.Height * 0.6)) & new Rect(0, 0, image.Width, image.Height);
        if (region.Width < 20 || region.Height < 12) return null;

        using var gray = FaceCropper.GrayRegion(image, region);
        Cv2.EqualizeHist(gray, gray);
        int minEye = Math.Max(8, box.Width / 8), maxEye = Math.Max(minEye + 1, box.Width / 2);
        Rect[] eyes;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            eyes = cascade.DetectMultiScale(gray, 1.1, 3, 0, new Size(minEye, minEye), new Size(maxEye, maxEye));
        }

        // One eye per half of the face: the largest candidate on each side of the box's centre line.
        double mid = box.Width / 2.0 + box.X - region.X;
        static Point2d Centre(Rect r) => new(r.X + r.Width / 2.0, r.Y + r.Height / 2.0);
        var left = eyes.Where(e => Centre(e).X < mid).OrderByDescending(e => e.Width * e.Height).Select(Centre).ToList();
        var right = eyes.Where(e => Centre(e).X >= mid).OrderByDescending(e => e.Width * e.Height).Select(Centre).ToList();
        if (left.Count == 0 || right.Count == 0) return null;
        var (l, r) = (left[0], right[0]);
        if (r.X - l.X < box.Width * 0.2) return null; // too close together to be a pair of eyes
        double degrees = Math.Atan2(r.Y - l.Y, r.X - l.X) * 180 / Math.PI;
        return Math.Abs(degrees) <= MaxRollDegrees ? degrees : null;
    }

    /// <summary>Releases the eye cascade.</summary>
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

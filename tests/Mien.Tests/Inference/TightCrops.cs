using System.IO.Compression;
using Mien.Faces;
using OpenCvSharp;

namespace Mien.Tests.Inference;

/// <summary>
/// Real faces cut like aligned film-frame crops: 143x181, tight around the face (brows to chin, no hair, no
/// background), which is where the frontal-face cascade stops finding them.
/// </summary>
internal static class TightCrops
{
    public const int Width = 143, Height = 181;

    /// <summary>
    /// 20 crops of astronaut.png's face: 0.9 of the detected box's height (the box itself reaches from the hairline
    /// to below the chin), centred a little low on the face, shifted and scaled slightly so they are not one image.
    /// </summary>
    public static List<Mat> Astronaut()
    {
        using var photo = Cv2.ImRead(TestData.Shared("photos/astronaut.png"));
        using var detector = FaceDetectors.Create();
        var box = Assert.Single(detector.Detect(photo));
        var crops = new List<Mat>();
        foreach (double dx in new[] { -0.06, -0.03, 0, 0.03, 0.06 })
        foreach (double scale in new[] { 0.96, 1.0, 1.04, 1.08 })
        {
            double h = box.Height * 0.9 * scale, w = h * Width / Height;
            double cx = box.X + box.Width * (0.5 + dx), cy = box.Y + box.Height * 0.55;
            using var roi = new Mat(photo, new Rect((int)Math.Round(cx - w / 2), (int)Math.Round(cy - h / 2), (int)Math.Round(w), (int)Math.Round(h)));
            crops.Add(roi.Resize(new Size(Width, Height), 0, 0, InterpolationFlags.Area));
        }
        return crops;
    }

    /// <summary>
    /// Every 10th CK+48 face of a class (20 for happy, spread over the subjects): the central 143:181 strip of the
    /// 48x48 frame less 5 % on every side, upscaled to 143x181 and turned BGR like a decoded film frame.
    /// </summary>
    public static List<Mat> CkPlus(string emotion, int count = 20)
    {
        using var zip = ZipFile.OpenRead(TestData.CkPlusZip);
        var entries = zip.Entries.Where(e => e.FullName.StartsWith($"CK+48/{emotion}/", StringComparison.Ordinal) && e.FullName.EndsWith(".png", StringComparison.Ordinal))
                                 .OrderBy(e => e.FullName, StringComparer.Ordinal).Where((_, i) => i % 10 == 0).Take(count).ToList();
        Assert.Equal(count, entries.Count);
        var crops = new List<Mat>();
        foreach (var entry in entries)
        {
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            using var face = Cv2.ImDecode(bytes.ToArray(), ImreadModes.Grayscale);
            double h = face.Height * 0.9, w = h * Width / Height;
            using var roi = new Mat(face, new Rect((int)Math.Round((face.Width - w) / 2), (int)Math.Round((face.Height - h) / 2), (int)Math.Round(w), (int)Math.Round(h)));
            using var big = roi.Resize(new Size(Width, Height), 0, 0, InterpolationFlags.Cubic);
            crops.Add(big.CvtColor(ColorConversionCodes.GRAY2BGR));
        }
        return crops;
    }

    public static List<Mat> Named(string set) => set switch
    {
        "astronaut" => Astronaut(),
        "ckplus-happy" => CkPlus("happy"),
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, null),
    };

    public static void DisposeAll(IEnumerable<Mat> mats)
    {
        foreach (var m in mats) m.Dispose();
    }
}

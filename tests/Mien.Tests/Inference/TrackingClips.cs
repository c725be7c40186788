using System.IO.Compression;
using OpenCvSharp;

namespace Mien.Tests.Inference;

/// <summary>
/// A test video made from real faces: two CK+48 subjects side by side, each showing the last frames of one labelled
/// sequence in order (CK+48 keeps only the last three frames of a sequence, so the clip starts near the peak, not at
/// neutral), then a cut, then one of them leaves.
/// </summary>
internal static class TrackingClips
{
    // The bundled model reads both peaks right on a 640x480 canvas (checked with mien predict: 0.99+ each frame).
    public const string HappySubject = "CK+48/happy/S011_006_", SurpriseSubject = "CK+48/surprise/S035_001_";
    public const int Fps = 25, ShotFrames = 30, LeaveFrame = 60, Frames = 80, FaceSide = 160;
    public static readonly Size Canvas = new(640, 480);

    /// <summary>
    /// Frames 0-29 (shot 1): happy left, surprise right, both drifting. Frame 30 is a cut (new background, the faces
    /// swap sides): surprise left, happy right until 59. From 60 the surprise face has left; happy stays to 79.
    /// Each sequence's three frames are held 10 frames each, so its peak (last frame) shows on frames 20-29 of a shot.
    /// </summary>
    public static void WriteTwoSubjects(string path)
    {
        var happy = Faces(HappySubject);
        var surprise = Faces(SurpriseSubject);
        using var writer = new VideoWriter(path, FourCC.MJPG, Fps, Canvas);
        Assert.True(writer.IsOpened(), $"cannot write {path}");
        for (int f = 0; f < Frames; f++)
        {
            using var canvas = Render(f, happy, surprise);
            writer.Write(canvas);
        }
        foreach (var m in happy.Concat(surprise)) m.Dispose();
    }

    /// <summary>Some frames of the same clip as images (for sources other than a file, e.g. a web socket).</summary>
    public static List<Mat> Render(params int[] frames)
    {
        var happy = Faces(HappySubject);
        var surprise = Faces(SurpriseSubject);
        var result = frames.Select(f => Render(f, happy, surprise)).ToList();
        foreach (var m in happy.Concat(surprise)) m.Dispose();
        return result;
    }

    private static Mat Render(int f, List<Mat> happy, List<Mat> surprise)
    {
        bool shot2 = f >= ShotFrames;
        int t = f % ShotFrames, stage = Math.Min(2, t / 10);
        var canvas = Background(shot2 ? 35 : 95);
        if (!shot2)
        {
            Place(canvas, happy[stage], 70 + 2 * t, 150);
            Place(canvas, surprise[stage], 400, 130 + t);
        }
        else
        {
            // After the leave, the happy face keeps showing its peak.
            int hs = f >= 2 * ShotFrames ? 2 : stage;
            if (f < LeaveFrame) Place(canvas, surprise[stage], 80, 160 - t);
            Place(canvas, happy[hs], 420 - f + ShotFrames, 150);
        }
        return canvas;
    }

    // The sequence's three images, in frame order, upscaled.
    private static List<Mat> Faces(string prefix)
    {
        using var zip = ZipFile.OpenRead(TestData.CkPlusZip);
        var entries = zip.Entries.Where(e => e.FullName.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(e => e.FullName, StringComparer.Ordinal).ToList();
        Assert.True(entries.Count == 3, $"{prefix}*: expected the 3 frames of a CK+48 sequence, found {entries.Count}");
        return entries.Select(e =>
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            using var grey = Cv2.ImDecode(ms.ToArray(), ImreadModes.Grayscale);
            var big = new Mat();
            Cv2.Resize(grey, big, new Size(FaceSide, FaceSide), interpolation: InterpolationFlags.Cubic);
            Cv2.CvtColor(big, big, ColorConversionCodes.GRAY2BGR);
            return big;
        }).ToList();
    }

    // A vertical gradient, so the background is not one flat grey.
    private static Mat Background(int level)
    {
        using var column = new Mat(Canvas.Height, 1, MatType.CV_8UC3);
        for (int y = 0; y < Canvas.Height; y++)
            column.Set(y, 0, new Vec3b((byte)Math.Clamp(level - 20 + 40 * y / Canvas.Height, 0, 255), (byte)Math.Clamp(level - 20 + 40 * y / Canvas.Height, 0, 255), (byte)Math.Clamp(level - 20 + 40 * y / Canvas.Height, 0, 255)));
        var m = new Mat();
        Cv2.Repeat(column, 1, Canvas.Width, m);
        return m;
    }

    private static void Place(Mat canvas, Mat face, int x, int y)
    {
        using var roi = new Mat(canvas, new Rect(x, y, face.Width, face.Height));
        face.CopyTo(roi);
    }
}

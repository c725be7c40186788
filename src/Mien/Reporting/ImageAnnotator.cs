using Mien.Inference;
using Mien.IO;
using OpenCvSharp;

namespace Mien.Reporting;

/// <summary>Draws each face's box and top emotion onto a copy of the image (for <c>mien predict --annotate</c>).</summary>
public static class ImageAnnotator
{
    /// <summary>Draws each face's box and top emotion onto the image.</summary>
    public static Mat Annotate(Mat image, ImagePrediction prediction)
    {
        var canvas = BgrCopy(image);
        double scale = Math.Max(0.4, Math.Min(canvas.Width, canvas.Height) / 800.0);
        int thickness = Math.Max(1, (int)Math.Round(2 * scale));
        foreach (var face in prediction.Faces)
            DrawLabelledBox(canvas, face.Box.ToRect(), $"{face.Emotion} {face.Confidence:P0}", Color(face.Emotion), scale, thickness);
        return canvas;
    }

    /// <summary>A BGR copy of the image (grey images converted), to draw on.</summary>
    internal static Mat BgrCopy(Mat image)
    {
        var canvas = new Mat();
        if (image.Channels() == 1) Cv2.CvtColor(image, canvas, ColorConversionCodes.GRAY2BGR);
        else image.CopyTo(canvas);
        return canvas;
    }

    /// <summary>The box, and the label in white on a chip of the box's colour at its top edge (kept inside the image).</summary>
    internal static void DrawLabelledBox(Mat canvas, Rect box, string label, Scalar color, double scale, int thickness)
    {
        Cv2.Rectangle(canvas, box, color, thickness);
        var size = Cv2.GetTextSize(label, HersheyFonts.HersheySimplex, scale, thickness, out int baseline);
        int y = Math.Max(size.Height + baseline, box.Y);
        Cv2.Rectangle(canvas, new Rect(box.X, y - size.Height - baseline, size.Width + 4, size.Height + baseline), color, -1);
        Cv2.PutText(canvas, label, new Point(box.X + 2, y - baseline), HersheyFonts.HersheySimplex, scale, Scalar.White, thickness, LineTypes.AntiAlias);
    }

    /// <summary>
    /// Draws the faces (see <see cref="Annotate"/>) and writes the result as a PNG to <paramref name="path"/>, creating
    /// its folder. The write is atomic (<see cref="AtomicFile"/>): a reader, or a second run writing the same file,
    /// never sees half an image. A file that cannot be written throws <see cref="MienException"/> naming it.
    /// </summary>
    public static void Write(string path, Mat image, ImagePrediction prediction)
    {
        using var drawn = Annotate(image, prediction);
        if (!Cv2.ImEncode(".png", drawn, out byte[] png)) throw new MienException($"cannot encode the annotated image '{path}' as PNG.");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            AtomicFile.WriteAllBytes(path, png);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new MienException($"cannot write the annotated image '{path}': {e.Message}", e); }
    }

    internal static Scalar Color(string emotion) => emotion switch
    {
        "happy" => new Scalar(60, 160, 60),
        "surprise" => new Scalar(0, 160, 230),
        "anger" => new Scalar(40, 40, 210),
        "sadness" => new Scalar(200, 110, 40),
        "fear" => new Scalar(160, 60, 160),
        "disgust" => new Scalar(40, 120, 120),
        "contempt" => new Scalar(90, 90, 160),
        _ => new Scalar(120, 120, 120),
    };
}

using Mien.Data;
using Mien.Evaluation;
using OpenCvSharp;

namespace Mien.Reporting;

/// <summary>
/// A grid of the faces a model got wrong with the most confidence: the quickest way to spot label noise,
/// look-alike classes and faces the crop missed. Drawn with OpenCV (its Hershey font needs no font files).
/// </summary>
internal static class MistakeGallery
{
    /// <summary>
    /// PNG of up to <paramref name="max"/> mistakes among <paramref name="indices"/>, most confident first, or null
    /// when there are none. <paramref name="probabilities"/>[k] belongs to <paramref name="indices"/>[k] and follows
    /// <paramref name="modelClasses"/>; a mistake is a predicted class name that differs from the true one.
    /// </summary>
    public static byte[]? Render(FaceDataset data, IReadOnlyList<int> indices, IReadOnlyList<float[]> probabilities,
        IReadOnlyList<string> modelClasses, int max = 24, int columns = 8)
    {
        var mistakes = indices.Select((item, k) => (item, p: probabilities[k], best: Evaluator.ArgMax(probabilities[k])))
            .Where(m => modelClasses[m.best] != data.ClassNames[data.Labels[m.item]])
            .OrderByDescending(m => m.p[m.best]).ThenBy(m => m.item).Take(max).ToList();
        if (mistakes.Count == 0) return null;

        const int thumb = 96, pad = 8, caption = 36, tileW = thumb + 2 * pad, tileH = thumb + caption + pad;
        int cols = Math.Min(columns, mistakes.Count), rows = (mistakes.Count + cols - 1) / cols;
        using var canvas = new Mat(new Size(cols * tileW, rows * tileH), MatType.CV_8UC3, Scalar.White);
        for (int n = 0; n < mistakes.Count; n++)
        {
            var (item, p, best) = mistakes[n];
            int x = n % cols * tileW + pad, y = n / cols * tileH + pad;
            using var face = Mat.FromPixelData(data.Height, data.Width, MatType.CV_8UC1, data.Image(item).ToArray());
            using var big = new Mat();
            // Nearest-neighbour 2x: shows the 48x48 pixels the model saw, and keeps the PNG small.
            Cv2.Resize(face, big, new Size(thumb, thumb), 0, 0, InterpolationFlags.Nearest);
            using var bgr = new Mat();
            Cv2.CvtColor(big, bgr, ColorConversionCodes.GRAY2BGR);
            bgr.CopyTo(canvas[new Rect(x, y, thumb, thumb)]);
            Label(canvas, $"true {data.ClassNames[data.Labels[item]]}", x, y + thumb + 14, new Scalar(40, 120, 40));
            Label(canvas, $"pred {modelClasses[best]} {100 * p[best]:0}%", x, y + thumb + 30, new Scalar(30, 30, 200));
        }
        // OpenCV defaults to the fastest PNG compression; the best level halves the size of this photo grid.
        return canvas.ImEncode(".png", new ImageEncodingParam(ImwriteFlags.PngCompression, 9));
    }

    private static void Label(Mat canvas, string text, int x, int y, Scalar color)
    {
        const double fontScale = 0.4;
        const int width = 96 + 4; // the tile less a gap to the next one
        // Shrink long labels ("pred surprise 100%") to the tile instead of letting them run into the next face.
        int w = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, fontScale, 1, out _).Width;
        double scale = w > width ? fontScale * width / w : fontScale;
        Cv2.PutText(canvas, text, new Point(x, y), HersheyFonts.HersheySimplex, scale, color, 1, LineTypes.AntiAlias);
    }
}

using Mien.Inference.Tracking;
using OpenCvSharp;

namespace Mien.Reporting;

/// <summary>
/// Draws a tracked frame for <c>mien video --annotate</c>: each face's box in its smoothed emotion's colour, the track
/// id with that emotion, and beside the box a live bar per emotion (smoothed probability), so one glance shows who
/// is who and how sure the model is.
/// </summary>
public static class TrackAnnotator
{
    /// <summary>A BGR copy of <paramref name="image"/> with <paramref name="frame"/>'s faces drawn.</summary>
    public static Mat Annotate(Mat image, TrackedFrame frame)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(frame);
        var canvas = ImageAnnotator.BgrCopy(image);
        double scale = Math.Max(0.4, Math.Min(canvas.Width, canvas.Height) / 900.0);
        int thickness = Math.Max(1, (int)Math.Round(2 * scale));
        foreach (var face in frame.Faces)
        {
            var box = face.Raw.Box.ToRect();
            ImageAnnotator.DrawLabelledBox(canvas, box, $"#{face.TrackId} {face.Emotion} {face.Confidence:P0}", ImageAnnotator.Color(face.Emotion), scale, thickness);
            DrawBars(canvas, face, box, scale);
        }
        return canvas;
    }

    // One row per emotion: a three-letter name and a bar of its smoothed probability, right of the box (left if no room).
    private static void DrawBars(Mat canvas, TrackedFace face, Rect box, double scale)
    {
        int rowH = Math.Max(14, (int)(20 * scale)), barW = Math.Max(50, (int)(100 * scale)), nameW = Math.Max(30, (int)(44 * scale));
        int width = nameW + barW + 4, height = rowH * face.Smoothed.Count;
        int x = box.Right + 6 + width <= canvas.Width ? box.Right + 6 : Math.Max(0, box.X - 6 - width);
        int y = Math.Clamp(box.Y, 0, Math.Max(0, canvas.Height - height));
        double fontScale = rowH / 40.0;
        int row = 0;
        foreach (var (emotion, p) in face.Smoothed)
        {
            int top = y + row * rowH;
            Cv2.Rectangle(canvas, new Rect(x, top, width, rowH), new Scalar(30, 30, 30), -1);
            Cv2.PutText(canvas, emotion.Length > 3 ? emotion[..3] : emotion, new Point(x + 3, top + rowH - 4), HersheyFonts.HersheySimplex,
                        fontScale, Scalar.White, 1, LineTypes.AntiAlias);
            Cv2.Rectangle(canvas, new Rect(x + nameW, top + 3, barW, rowH - 6), new Scalar(70, 70, 70), -1);
            int w = (int)Math.Round(barW * Math.Clamp(p, 0, 1));
            if (w > 0) Cv2.Rectangle(canvas, new Rect(x + nameW, top + 3, w, rowH - 6), ImageAnnotator.Color(emotion), -1);
            row++;
        }
    }
}

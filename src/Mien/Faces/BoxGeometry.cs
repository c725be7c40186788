namespace Mien.Faces;

/// <summary>
/// Box arithmetic every detector shares, without OpenCV types (Mien.Onnx compiles it too): mapping boxes back to full
/// resolution, overlap measures, and tidying a detector's raw boxes.
/// </summary>
internal static class BoxGeometry
{
    /// <summary>Maps a box found at detection scale back to full resolution.</summary>
    public static FaceBox ToFullResolution(double x, double y, double width, double height, double scale, double score) => new(
        (int)Math.Round(x / scale), (int)Math.Round(y / scale),
        (int)Math.Round(width / scale), (int)Math.Round(height / scale), score);

    /// <summary>The part of <paramref name="a"/> that is inside <paramref name="b"/> (zero width or height when they do not overlap).</summary>
    public static FaceBox Intersect(FaceBox a, FaceBox b, double score)
    {
        int x = Math.Max(a.X, b.X), y = Math.Max(a.Y, b.Y);
        int right = Math.Min(a.X + a.Width, b.X + b.Width), bottom = Math.Min(a.Y + a.Height, b.Y + b.Height);
        return new FaceBox(x, y, Math.Max(0, right - x), Math.Max(0, bottom - y), score);
    }

    /// <summary>Drops too-small boxes and overlapping duplicates, then sorts left-to-right, top-to-bottom.</summary>
    public static IReadOnlyList<FaceBox> Finish(IEnumerable<FaceBox> boxes, FaceDetectorOptions options)
    {
        var kept = new List<FaceBox>();
        // Best first, so a duplicate always loses to the box that is more certainly a face.
        foreach (var b in boxes.Where(b => Math.Min(b.Width, b.Height) >= options.MinFaceSize)
                               .OrderByDescending(b => b.Score).ThenByDescending(b => (long)b.Width * b.Height))
        {
            if (!kept.Any(k => OverlapOfSmaller(k, b) > options.MaxOverlap)) kept.Add(b);
        }
        kept.Sort((a, b) => a.X != b.X ? a.X.CompareTo(b.X) : a.Y.CompareTo(b.Y));
        return kept;
    }

    /// <summary>Intersection over union of two boxes (0 when they do not overlap).</summary>
    public static double Iou(FaceBox a, FaceBox b)
    {
        double i = IntersectionArea(a, b);
        return i <= 0 ? 0 : i / ((double)a.Width * a.Height + (double)b.Width * b.Height - i);
    }

    // Intersection over the smaller area, not IoU: a small box nested inside a big one is a duplicate even though
    // their IoU is low.
    private static double OverlapOfSmaller(FaceBox a, FaceBox b)
    {
        double i = IntersectionArea(a, b);
        double smaller = Math.Min((double)a.Width * a.Height, (double)b.Width * b.Height);
        return i <= 0 || smaller <= 0 ? 0 : i / smaller;
    }

    private static double IntersectionArea(FaceBox a, FaceBox b)
    {
        var inter = Intersect(a, b, 0);
        return (double)inter.Width * inter.Height;
    }
}

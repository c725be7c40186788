namespace Mien.Reporting;

/// <summary>
/// A Grad-CAM map for one face: where the network looked to score <see cref="ClassName"/>.
/// <see cref="Heatmap"/> is <see cref="Size"/> x <see cref="Size"/> values, row-major, scaled so the maximum is 1
/// (all zero when nothing in the image speaks for the class).
/// </summary>
public sealed record GradCamResult(
    string ClassName, float Probability, string PredictedClass, float PredictedProbability,
    float[] Heatmap, int Size, string Layer, int FeatureMapSize)
{
    /// <summary>
    /// False when the map is all zero: no region's features raise the class score (Grad-CAM's ReLU keeps only positive
    /// evidence). It happens, e.g., when a class wins because the others are argued down rather than because of a region.
    /// </summary>
    public bool HasEvidence => Heatmap.Any(v => v > 0);

    /// <summary>The share (0..1) of the map's total that lies in a rectangle of the face crop; 0 for an all-zero map.</summary>
    public double Mass(int x, int y, int width, int height)
    {
        double inside = 0, total = 0;
        for (int r = 0; r < Size; r++)
            for (int c = 0; c < Size; c++)
            {
                double v = Heatmap[r * Size + c];
                total += v;
                if (r >= y && r < y + height && c >= x && c < x + width) inside += v;
            }
        return total <= 0 ? 0 : inside / total;
    }
}

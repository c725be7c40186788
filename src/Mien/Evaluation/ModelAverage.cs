using Mien.Faces;
using Mien.Models;
using OpenCvSharp;

namespace Mien.Evaluation;

/// <summary>
/// Several trained models as one classifier: the mean of their (calibrated) class probabilities, in the first model's
/// class order. A model that knows more classes than the first (e.g. contempt) has those dropped and its remaining
/// probabilities renormalised, so 7- and 8-class models average. Models may take different input sizes: faces come at
/// the first model's size and are resized for the others as <see cref="FacePreprocessor"/> resizes any face (bilinear up,
/// area down), which for 48-px datasets (FER, CK+48) and a 64-px member is exactly the crop it trained on. Used to score
/// ensembles (<c>mien evaluate --model A --model B</c>) before distilling one into a single network (<c>mien train --teacher</c>).
/// </summary>
internal sealed class ModelAverage
{
    private readonly IReadOnlyList<EmotionModel> _models;
    private readonly int[][] _columns;

    /// <exception cref="ArgumentException">Fewer than two models, or a model lacks one of the first model's classes.</exception>
    public ModelAverage(IReadOnlyList<EmotionModel> models)
    {
        if (models.Count < 2) throw new ArgumentException("An ensemble needs at least two models.", nameof(models));
        var first = models[0];
        _columns = new int[models.Count][];
        for (int m = 0; m < models.Count; m++)
        {
            var model = models[m];
            _columns[m] = first.ClassNames.Select(c =>
            {
                int j = model.ClassNames.ToList().FindIndex(n => string.Equals(n, c, StringComparison.OrdinalIgnoreCase));
                return j >= 0 ? j : throw new ArgumentException(
                    $"Ensemble model {m + 1} has no class '{c}' (it knows {string.Join(", ", model.ClassNames)}); every model must know the first model's classes.", nameof(models));
            }).ToArray();
        }
        _models = models;
    }

    /// <summary>Mean probabilities of <paramref name="count"/> faces at the first model's input size.</summary>
    public float[][] PredictProbabilities(ReadOnlySpan<byte> faces, int count, bool flipAverage)
    {
        int k = _columns[0].Length, side = _models[0].InputSize;
        var sum = new float[count][];
        for (int i = 0; i < count; i++) sum[i] = new float[k];
        for (int m = 0; m < _models.Count; m++)
        {
            int own = _models[m].InputSize;
            var p = own == side
                ? _models[m].PredictProbabilities(faces, count, flipAverage)
                : _models[m].PredictProbabilities(Resized(faces, count, side, own), count, flipAverage);
            for (int i = 0; i < count; i++)
            {
                float kept = 0;
                foreach (int j in _columns[m]) kept += p[i][j];
                for (int c = 0; c < k; c++) sum[i][c] += p[i][_columns[m][c]] / (kept * _models.Count);
            }
        }
        return sum;
    }

    private static byte[] Resized(ReadOnlySpan<byte> faces, int count, int from, int to)
    {
        var resized = new byte[count * to * to];
        for (int i = 0; i < count; i++)
        {
            using var face = Mat.FromPixelData(from, from, MatType.CV_8UC1, faces.Slice(i * from * from, from * from).ToArray());
            using var scaled = FacePreprocessor.Resize(face, to);
            scaled.GetArray(out byte[] bytes);
            bytes.CopyTo(resized, i * to * to);
        }
        return resized;
    }
}

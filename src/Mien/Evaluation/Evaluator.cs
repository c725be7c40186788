using Mien.Data;
using Mien.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Evaluation;

/// <summary>Runs a model over (part of) a dataset and scores it.</summary>
public static class Evaluator
{
    /// <summary>Probabilities for the given items, in batches.</summary>
    public static float[][] PredictProbabilities(EmotionModel model, FaceDataset data, IReadOnlyList<int>? indices = null, int batchSize = 256, bool flipAverage = false, CancellationToken cancellationToken = default) =>
        PredictProbabilities(model, data, indices, batchSize, flipAverage, cancellationToken, null);

    /// <summary>Faces (count x S x S bytes), their count and flip averaging in, probabilities out: another engine for the model's network (ONNX Runtime).</summary>
    internal delegate float[][] Probabilities(ReadOnlySpan<byte> faces, int count, bool flipAverage);

    internal static float[][] PredictProbabilities(EmotionModel model, FaceDataset data, IReadOnlyList<int>? indices, int batchSize, bool flipAverage, CancellationToken cancellationToken, Probabilities? engine)
    {
        if (data.Width != model.InputSize || data.Height != model.InputSize)
            throw new ArgumentException($"The dataset is {data.Width}x{data.Height} but the model takes {model.InputSize}x{model.InputSize}; load it with that image size.");
        indices ??= Enumerable.Range(0, data.Count).ToArray();
        bool wasTraining = model.Network.training;
        model.Network.eval();
        try
        {
            int area = data.Width * data.Height;
            var result = new List<float[]>(indices.Count);
            var buffer = new byte[batchSize * area];
            for (int start = 0; start < indices.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(batchSize, indices.Count - start);
                for (int k = 0; k < n; k++) data.Image(indices[start + k]).CopyTo(buffer.AsSpan(k * area, area));
                var faces = buffer.AsSpan(0, n * area);
                result.AddRange(engine is null ? model.PredictProbabilities(faces, n, flipAverage) : engine(faces, n, flipAverage));
            }
            return result.ToArray();
        }
        finally { model.Network.train(wasTraining); }
    }

    /// <summary>Scores a model on the given items of a labelled dataset whose classes it knows.</summary>
    public static ClassificationReport Evaluate(EmotionModel model, FaceDataset data, IReadOnlyList<int>? indices = null, bool flipAverage = false, CancellationToken cancellationToken = default) =>
        Evaluate(model, data, indices, flipAverage, cancellationToken, null);

    internal static ClassificationReport Evaluate(EmotionModel model, FaceDataset data, IReadOnlyList<int>? indices, bool flipAverage, CancellationToken cancellationToken, Probabilities? engine)
    {
        indices ??= Enumerable.Range(0, data.Count).ToArray();
        var truth = ModelLabels(model, data, indices);
        var probs = PredictProbabilities(model, data, indices, 256, flipAverage, cancellationToken, engine);
        var predicted = probs.Select(ArgMax).ToArray();
        double loss = truth.Select((t, i) => -Math.Log(Math.Max(1e-12, probs[i][t]))).DefaultIfEmpty(0).Average();
        return ClassificationReport.From(truth, predicted, model.ClassNames, loss) with
        {
            ExpectedCalibrationError = Calibration.ExpectedCalibrationError(probs, truth),
        };
    }

    /// <summary>
    /// The true labels of the given items in the model's label encoding (the dataset's classes matched by canonical
    /// name). Throws <see cref="ArgumentException"/> when one of them is a class the model does not know.
    /// </summary>
    public static int[] ModelLabels(EmotionModel model, FaceDataset data, IReadOnlyList<int> indices)
    {
        var map = data.ClassNames.Select(n => model.ClassNames.ToList().IndexOf(n)).ToArray();
        var unknown = data.ClassNames.Where((n, i) => map[i] < 0 && indices.Any(j => data.Labels[j] == i)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"The model does not know class(es) {string.Join(", ", unknown)}; it predicts {string.Join(", ", model.ClassNames)}. Leave them out with --drop-class {string.Join(" --drop-class ", unknown)}.");
        return indices.Select(i => map[data.Labels[i]]).ToArray();
    }

    /// <summary>Index of the largest probability (the first one on ties).</summary>
    public static int ArgMax(float[] p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}

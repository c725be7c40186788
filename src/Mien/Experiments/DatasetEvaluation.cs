using Mien.Data;
using Mien.Evaluation;
using Mien.Models;
using Mien.Splits;

namespace Mien.Experiments;

/// <summary>
/// A trained model scored on one split of a dataset, and again without the split's images that are copies of the
/// dataset's training images (which the model may have trained on: FER2013's PublicTest holds 280).
/// </summary>
public sealed record DatasetEvaluation(string Split, ClassificationReport Report, int CopiesOfTraining, ClassificationReport? WithoutCopies)
{
    /// <param name="split">test, validation, train, all, or auto (test when the dataset has one, else all).</param>
    public static DatasetEvaluation Run(EmotionModel model, FaceDataset data, string split = "auto", bool flipAverage = false, CancellationToken cancellationToken = default) =>
        Run(model, data, split, flipAverage, null, cancellationToken);

    /// <summary>
    /// As <see cref="Run(EmotionModel, FaceDataset, string, bool, CancellationToken)"/>, the faces classified by ONNX Runtime on
    /// <paramref name="onnxModel"/>, an export of <paramref name="model"/> (e.g. its int8 file; same classes and input size).
    /// </summary>
    public static DatasetEvaluation RunOnnx(EmotionModel model, string onnxModel, FaceDataset data, string split = "auto", bool flipAverage = false, CancellationToken cancellationToken = default)
    {
        using var predictor = Models.Onnx.OnnxExporter.OpenPredictor(model, onnxModel);
        return Run(model, data, split, flipAverage, predictor.PredictProbabilities, cancellationToken);
    }

    /// <summary>
    /// As <see cref="Run(EmotionModel, FaceDataset, string, bool, CancellationToken)"/> for an ensemble: the mean of the
    /// models' probabilities, in the first model's classes (a model's extra classes, such as contempt, are dropped and
    /// the rest renormalised). Every model must know the first model's classes; faces come at the first model's input
    /// size and are resized for members of another (so put a model of the dataset's own size first).
    /// </summary>
    public static DatasetEvaluation RunEnsemble(IReadOnlyList<EmotionModel> models, FaceDataset data, string split = "auto", bool flipAverage = false, CancellationToken cancellationToken = default)
    {
        var average = new ModelAverage(models);
        return Run(models[0], data, split, flipAverage, average.PredictProbabilities, cancellationToken);
    }

    private static DatasetEvaluation Run(EmotionModel model, FaceDataset data, string split, bool flipAverage, Evaluator.Probabilities? engine, CancellationToken cancellationToken)
    {
        string which = split.ToLowerInvariant();
        if (which == "auto") which = data.HasSplit("test") ? "test" : data.HasSplit("validation") ? "validation" : "all";
        int[] idx = which == "all" ? Enumerable.Range(0, data.Count).ToArray() : data.IndicesOfSplit(which);
        if (idx.Length == 0)
            throw new ArgumentException($"'{data.Origin}' has no '{which}' split (it has: {string.Join(", ", data.Splits.Select(s => s ?? "none").Distinct())}). Use --split all.");
        var report = Evaluator.Evaluate(model, data, idx, flipAverage, cancellationToken, engine);
        if (which is "train" or "all" || !data.HasSplit("train")) return new(which, report, 0, null);
        var copies = DataSplit.CopiesOfTrainSplit(data, idx);
        if (copies.Count == 0) return new(which, report, 0, null);
        var clean = Evaluator.Evaluate(model, data, idx.Where(i => !copies.Contains(i)).ToArray(), flipAverage, cancellationToken, engine);
        return new(which, report, copies.Count, clean);
    }
}

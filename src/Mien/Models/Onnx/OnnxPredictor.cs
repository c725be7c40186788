using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mien.Models.Onnx;

/// <summary>
/// Class probabilities of a model through ONNX Runtime: the model is exported in memory once, then every batch runs
/// in one <see cref="InferenceSession"/> (whose Run is thread-safe, so one predictor serves concurrent callers).
/// </summary>
internal sealed class OnnxPredictor : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int _size, _classes;

    public OnnxPredictor(EmotionModel model, int threads = 0)
    {
        _size = model.InputSize;
        _classes = model.ClassNames.Count;
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads > 0) options.IntraOpNumThreads = threads;
        _session = new InferenceSession(OnnxExporter.Build(model).ToByteArray(), options);
    }

    /// <summary>Same contract as <see cref="EmotionModel.PredictProbabilities"/>.</summary>
    public float[][] PredictProbabilities(ReadOnlySpan<byte> pixels, int count, bool flipAverage = false)
    {
        if (count == 0) return [];
        int s = _size;
        if (pixels.Length != count * s * s) throw new ArgumentException($"Expected {count}x{s}x{s} pixels, got {pixels.Length}.");
        var p = Run(pixels, count, mirror: false);
        if (flipAverage)
        {
            var q = Run(pixels, count, mirror: true);
            for (int i = 0; i < p.Length; i++) p[i] = (p[i] + q[i]) / 2;
        }
        return Enumerable.Range(0, count).Select(i => p.AsSpan(i * _classes, _classes).ToArray()).ToArray();
    }

    private float[] Run(ReadOnlySpan<byte> pixels, int count, bool mirror)
    {
        int s = _size;
        var data = new float[pixels.Length];
        for (int i = 0; i < data.Length; i++)
        {
            int col = i % s;
            data[i] = pixels[mirror ? i - col + (s - 1 - col) : i];
        }
        var input = NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor<float>(data, [count, 1, s, s]));
        using var results = _session.Run([input], [OnnxExporter.ProbabilitiesName]);
        return results.First().AsTensor<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}

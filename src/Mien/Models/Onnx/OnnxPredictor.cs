using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mien.Models.Onnx;

/// <summary>
/// Class probabilities of an exported model (<see cref="OnnxContract"/>) through ONNX Runtime: every batch runs in one
/// <see cref="InferenceSession"/> (whose Run is thread-safe, so one predictor serves concurrent callers). Compiled into
/// Mien (its ONNX backend, over a model exported in memory) and, as a linked file, into Mien.Onnx (over a file).
/// </summary>
internal sealed class OnnxPredictor : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int _size, _classes;

    /// <param name="onnx">The serialised model.</param>
    /// <param name="threads">ONNX Runtime's intra-op threads (0: its default).</param>
    /// <exception cref="InvalidDataException">The graph is not one of Mien's (input <c>pixels</c> N x 1 x S x S, output <c>probabilities</c> N x K).</exception>
    public OnnxPredictor(byte[] onnx, int threads = 0)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads > 0) options.IntraOpNumThreads = threads;
        _session = new InferenceSession(onnx, options);
        int[]? input = _session.InputMetadata.TryGetValue(OnnxContract.InputName, out var i) ? i.Dimensions : null;
        int[]? output = _session.OutputMetadata.TryGetValue(OnnxContract.ProbabilitiesName, out var o) ? o.Dimensions : null;
        if (input is not [_, 1, > 0 and var s, var s2] || s2 != s || output is not [_, > 0 and var k])
        {
            string found = $"{Describe(_session.InputMetadata)} -> {Describe(_session.OutputMetadata)}";
            _session.Dispose();
            throw new InvalidDataException($"Not a Mien emotion model: expected input '{OnnxContract.InputName}' N x 1 x S x S and output " +
                $"'{OnnxContract.ProbabilitiesName}' N x K (see docs/ONNX.md), got {found}.");
        }
        (_size, _classes) = (s, k);
    }

    /// <summary>The input side S.</summary>
    public int InputSize => _size;

    /// <summary>The number of classes K.</summary>
    public int ClassCount => _classes;

    /// <summary>The file's metadata_props (class names, input size, face margin...: <see cref="OnnxContract"/>).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _session.ModelMetadata.CustomMetadataMap;

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> values) =>
        string.Join(", ", values.Select(v => $"{v.Key} [{string.Join(" x ", v.Value.Dimensions)}]"));

    /// <summary>Same contract as <c>EmotionModel.PredictProbabilities</c>: count x S x S grey bytes in, count rows of K probabilities out.</summary>
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
        var input = NamedOnnxValue.CreateFromTensor(OnnxContract.InputName, new DenseTensor<float>(data, [count, 1, s, s]));
        using var results = _session.Run([input], [OnnxContract.ProbabilitiesName]);
        return results.First().AsTensor<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}

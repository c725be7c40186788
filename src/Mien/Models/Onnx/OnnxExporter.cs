using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models.Onnx;

/// <summary>
/// Writes an <see cref="EmotionModel"/> as a self-contained ONNX model (opset 17), for ONNX Runtime, OpenCV DNN and
/// other runtimes. The graph takes raw grey pixels and includes Mien's normalisation and temperature:
/// <list type="bullet">
/// <item>input <c>pixels</c>: float32 N x 1 x S x S, grey values 0..255 (not normalised), N free;</item>
/// <item>output <c>logits</c>: N x K, and <c>probabilities</c>: softmax(logits / temperature), N x K;</item>
/// <item>batch norm folded into the convolution or dense layer before it, dropout removed;</item>
/// <item>metadata_props: class names, input size, mean, std, temperature, preprocessing, Mien version (docs/ONNX.md).</item>
/// </list>
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the files use.</summary>
    public const int Opset = 17;
    /// <summary>The graph input: float32 N x 1 x S x S grey pixels in 0..255.</summary>
    public const string InputName = OnnxContract.InputName;
    /// <summary>The graph output holding the network's raw scores, N x K.</summary>
    public const string LogitsName = OnnxContract.LogitsName;
    /// <summary>The graph output holding the class probabilities, softmax(logits / temperature), N x K.</summary>
    public const string ProbabilitiesName = OnnxContract.ProbabilitiesName;

    /// <summary>An ONNX Runtime predictor over the model, exported in memory (<see cref="Inference.InferenceBackend.Onnx"/>).</summary>
    internal static OnnxPredictor CreatePredictor(EmotionModel model, int threads = 0) =>
        new(Build(model).ToByteArray(), threads);

    /// <summary>
    /// An ONNX Runtime predictor over an exported file of <paramref name="model"/> (float32 or int8, <c>mien export --onnx</c>),
    /// refused if it classifies other classes or reads another input size.
    /// </summary>
    internal static OnnxPredictor OpenPredictor(EmotionModel model, string path, int threads = 0)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model '{path}' does not exist.", path);
        var predictor = new OnnxPredictor(File.ReadAllBytes(path), threads);
        string? names = predictor.Metadata.TryGetValue(OnnxContract.ClassNamesKey, out var n) ? n : null;
        string expected = JsonSerializer.Serialize(model.ClassNames);
        if (predictor.InputSize != model.InputSize || names != expected)
        {
            predictor.Dispose();
            throw new InvalidDataException($"ONNX model '{path}' ({predictor.InputSize}x{predictor.InputSize}, classes {names ?? "not recorded"}) is not an export of " +
                $"this {model.Metadata.Spec.Name} model ({model.InputSize}x{model.InputSize}, classes {expected}); export it with `mien export MODEL --onnx {path}`.");
        }
        return predictor;
    }

    /// <summary>Writes the model as an .onnx file (atomically: a failed export leaves no partial file).</summary>
    public static void Export(EmotionModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        WriteAtomically(Build(model).ToByteArray(), path);
    }

    /// <summary>Writes a serialised model to a temporary file beside <paramref name="path"/>, then renames it.</summary>
    internal static void WriteAtomically(byte[] bytes, string path)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>The ONNX model of <paramref name="model"/>, built with the protobuf classes of onnx.proto.</summary>
    internal static ModelProto Build(EmotionModel model)
    {
        if (model.Network.training) throw new InvalidOperationException("Call Network.eval() before exporting: the export folds batch norm with its running statistics.");
        var meta = model.Metadata;
        int s = meta.InputSize, k = meta.ClassNames.Count;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();

        var graph = new GraphProto { Name = Sanitize(meta.Spec.Name), DocString = $"Mien {meta.Spec.Name}: grey faces {s}x{s} (0..255) to {k} emotion probabilities." };
        graph.Input.Add(Value(InputName, ["batch", 1L, (long)s, (long)s]));
        var writer = new OnnxGraphWriter(graph);

        // The same float32 constants as EmotionModel.ToInput, so the normalised input is bit-identical to Mien's.
        float scale = 1f / (255f * meta.Std), shift = meta.Mean / meta.Std;
        var x = writer.Node("Mul", "normalise.scaled", [InputName, writer.Scalar("normalise.scale", scale)]);
        x = writer.Node("Sub", "input", [x, writer.Scalar("normalise.shift", shift)]);

        var logits = writer.Write(model.Network, "network", x);
        var last = graph.Node.Last(n => n.Output.Contains(logits));
        last.Output[last.Output.IndexOf(logits)] = LogitsName;

        var scores = LogitsName;
        if (meta.LogitBias is { } bias)
            scores = writer.Node("Add", "corrected_logits", [scores, writer.Initializer("logit_bias", torch.tensor(bias.ToArray(), [1, bias.Count]))]);
        if (meta.Temperature != 1) scores = writer.Node("Div", "scaled_logits", [scores, writer.Scalar("temperature", (float)meta.Temperature)]);
        var softmax = new NodeProto { OpType = "Softmax", Name = "softmax" };
        softmax.Input.Add(scores);
        softmax.Output.Add(ProbabilitiesName);
        softmax.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(softmax);
        graph.Output.Add(Value(LogitsName, ["batch", (long)k]));
        graph.Output.Add(Value(ProbabilitiesName, ["batch", (long)k]));

        var onnx = new ModelProto
        {
            IrVersion = 8, // the IR version of opset 17
            ProducerName = "Mien",
            ProducerVersion = MienVersion,
            Domain = "mien",
            ModelVersion = 1,
            DocString = graph.DocString,
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in MetadataProps(meta)) onnx.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return onnx;
    }

    private static string MienVersion => typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0";

    /// <summary>The key/value pairs stored in the file's metadata_props (documented in docs/ONNX.md).</summary>
    internal static IEnumerable<(string Key, string Value)> MetadataProps(ModelMetadata meta)
    {
        var ci = CultureInfo.InvariantCulture;
        yield return (OnnxContract.ClassNamesKey, JsonSerializer.Serialize(meta.ClassNames));
        yield return (OnnxContract.InputSizeKey, meta.InputSize.ToString(ci));
        yield return ("input", $"{InputName}: float32 N x 1 x {meta.InputSize} x {meta.InputSize}, grey pixels 0..255; the graph normalises them: x = (p/255 - mean)/std");
        yield return ("mean", meta.Mean.ToString("R", ci));
        yield return ("std", meta.Std.ToString("R", ci));
        yield return ("temperature", meta.Temperature.ToString("R", ci));
        if (meta.LogitBias is { } bias) yield return ("logit_bias", JsonSerializer.Serialize(bias));
        yield return ("outputs", $"{LogitsName}: N x {meta.ClassNames.Count} scores; {ProbabilitiesName}: softmax(({LogitsName} + logit_bias) / temperature), logit_bias 0 unless given");
        yield return ("preprocessing", meta.Preprocessing);
        yield return (OnnxContract.FaceMarginKey, meta.FaceMargin.ToString("R", ci));
        yield return (OnnxContract.ModelNameKey, meta.Spec.Name);
        yield return ("spec", meta.Spec.ToJson());
        if (meta.TrainedOn is { } trainedOn) yield return ("trained_on", trainedOn);
        yield return ("model_mien_version", meta.MienVersion);
        yield return ("mien_version", MienVersion);
    }

    private static string Sanitize(string name) => string.IsNullOrWhiteSpace(name) ? "mien" : name;

    private static ValueInfoProto Value(string name, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = (long)d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}

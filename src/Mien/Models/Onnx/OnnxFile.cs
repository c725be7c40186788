using Google.Protobuf;
using Onnx;

namespace Mien.Models.Onnx;

/// <summary>
/// Reads an ONNX model with the protobuf classes generated from the official onnx.proto (the OnnxSharp package):
/// its topology as an <see cref="OnnxGraphSpec"/> and its float initializers. Every problem is a
/// <see cref="ModelFormatException"/> naming the file and the node.
/// </summary>
internal static class OnnxFile
{
    /// <summary>The operators the importer turns into TorchSharp modules.</summary>
    public static readonly IReadOnlySet<string> SupportedOps = new HashSet<string>(StringComparer.Ordinal)
    {
        "Conv", "BatchNormalization", "Relu", "LeakyRelu", "Clip", "Sigmoid", "Add", "Mul", "Concat",
        "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Gemm", "Identity", "Dropout",
    };

    // A CNN of a few hundred MB at most; protobuf itself refuses messages above 2 GB.
    private const long MaxBytes = 1L << 30;

    public static ModelProto Parse(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ModelFormatException($"ONNX file '{path}' does not exist.");
        if (info.Length > MaxBytes) throw new ModelFormatException($"'{path}' is {info.Length / (1 << 20)} MB; an ONNX CNN Mien imports is at most {MaxBytes >> 20} MB.");
        try
        {
            using var stream = File.OpenRead(path);
            var model = ModelProto.Parser.ParseFrom(stream);
            if (model.Graph is null || model.Graph.Node.Count == 0) throw new ModelFormatException($"'{path}' holds no ONNX graph.");
            return model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException($"'{path}' is not an ONNX model: {e.Message}");
        }
    }

    /// <summary>The topology of the graph from its input to <paramref name="output"/> (default: its first output).</summary>
    public static OnnxGraphSpec ReadGraph(string path, string? output = null) => ToSpec(Parse(path), path, output);

    public static OnnxGraphSpec ToSpec(ModelProto model, string path, string? output = null)
    {
        var g = model.Graph;
        var initializers = g.Initializer.ToDictionary(t => t.Name, t => t.Dims.ToArray(), StringComparer.Ordinal);
        var inputs = g.Input.Where(i => !initializers.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1) throw new ModelFormatException($"'{path}': an importable CNN has one image input; this graph has {inputs.Count} ({string.Join(", ", inputs.Select(i => i.Name))}).");
        output ??= g.Output.FirstOrDefault()?.Name ?? throw new ModelFormatException($"'{path}': the graph has no output.");
        var nodes = new List<OnnxNodeSpec>();
        foreach (var (n, i) in g.Node.Select((n, i) => (n, i)))
        {
            string where = $"'{path}': node {i} ({n.OpType} {n.Name})";
            if (!string.IsNullOrEmpty(n.Domain) && n.Domain != "ai.onnx") throw new ModelFormatException($"{where}: operator domain '{n.Domain}' is not supported.");
            if (!SupportedOps.Contains(n.OpType))
                throw new ModelFormatException($"{where}: operator {n.OpType} is not supported; the importer knows {string.Join(", ", SupportedOps.Order(StringComparer.Ordinal))}.");
            var spec = new OnnxNodeSpec { Op = n.OpType, Inputs = [.. n.Input], Outputs = [.. n.Output] };
            foreach (var a in n.Attribute)
            {
                switch (a.Type)
                {
                    case AttributeProto.Types.AttributeType.Int: spec.Ints[a.Name] = [a.I]; break;
                    case AttributeProto.Types.AttributeType.Ints: spec.Ints[a.Name] = [.. a.Ints]; break;
                    case AttributeProto.Types.AttributeType.Float: spec.Floats[a.Name] = a.F; break;
                    case AttributeProto.Types.AttributeType.String: spec.Strings[a.Name] = a.S.ToStringUtf8(); break;
                    default: throw new ModelFormatException($"{where}: attribute '{a.Name}' of type {a.Type} is not supported.");
                }
            }
            nodes.Add(spec);
        }
        // Only what leads to the output: exporters leave side branches (CNTK's debugging outputs) in graphs.
        var needed = new HashSet<string>(StringComparer.Ordinal) { output };
        var kept = new List<OnnxNodeSpec>();
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            if (!nodes[i].Outputs.Any(needed.Contains)) continue;
            kept.Add(nodes[i]);
            foreach (var x in nodes[i].Inputs) if (x.Length > 0) needed.Add(x);
        }
        kept.Reverse();
        if (kept.Count == 0) throw new ModelFormatException($"'{path}': no node computes the output '{output}'.");
        var firstConv = kept.FirstOrDefault(k => k.Op == "Conv");
        long channels = firstConv is not null && firstConv.Inputs.Count > 1 && initializers.TryGetValue(firstConv.Inputs[1], out var w) && w.Length == 4 ? w[1] : 3;
        if (channels is not (1 or 3)) throw new ModelFormatException($"'{path}': the first convolution takes {channels} channels; a face network takes 1 (grey) or 3 (RGB).");
        return new OnnxGraphSpec
        {
            Input = inputs[0].Name,
            Output = output,
            InputChannels = (int)channels,
            Nodes = kept,
            Initializers = kept.SelectMany(k => k.Inputs).Where(initializers.ContainsKey).Distinct().ToDictionary(x => x, x => initializers[x], StringComparer.Ordinal),
        };
    }

    /// <summary>The float initializers of a model, by name (raw little-endian bytes or float_data).</summary>
    public static Dictionary<string, (long[] Dims, float[] Values)> ReadInitializers(ModelProto model, string path)
    {
        var result = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal);
        foreach (var t in model.Graph.Initializer)
        {
            if (t.DataType != (int)TensorProto.Types.DataType.Float)
            {
                if (t.DataType == (int)TensorProto.Types.DataType.Int64) continue; // shapes for Reshape-like ops; not weights
                throw new ModelFormatException($"'{path}': initializer '{t.Name}' is {(TensorProto.Types.DataType)t.DataType}; the importer reads float32 weights.");
            }
            if (t.DataLocation == TensorProto.Types.DataLocation.External)
                throw new ModelFormatException($"'{path}': initializer '{t.Name}' is stored in an external file; save the model with its weights inside.");
            result[t.Name] = (t.Dims.ToArray(), FloatValues(t, path));
        }
        return result;
    }

    /// <summary>A float32 initializer's values, from raw little-endian bytes or float_data, checked against its shape.</summary>
    internal static float[] FloatValues(TensorProto t, string path)
    {
        long count = t.Dims.Aggregate(1L, (a, d) => a * d);
        if (!t.RawData.IsEmpty)
        {
            if (t.RawData.Length != count * 4) throw new ModelFormatException($"'{path}': initializer '{t.Name}' has {t.RawData.Length} bytes for {count} floats.");
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
            var values = new float[count];
            Buffer.BlockCopy(t.RawData.ToByteArray(), 0, values, 0, (int)(count * 4));
            return values;
        }
        if (t.FloatData.Count != count) throw new ModelFormatException($"'{path}': initializer '{t.Name}' has {t.FloatData.Count} values for shape [{string.Join("x", t.Dims)}].");
        return [.. t.FloatData];
    }
}

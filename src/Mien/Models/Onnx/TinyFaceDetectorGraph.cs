using System.Text.Json;
using Google.Protobuf;
using Onnx;

namespace Mien.Models.Onnx;

/// <summary>
/// Converts face-api.js's TinyFaceDetector (TensorFlow.js weights: models/detectors/*.json + .bin) into the ONNX graph
/// that <see cref="Faces.TinyFaceDetector"/> runs. Used to write models/detectors/tiny_face_detector.onnx and by the test
/// that checks that committed file is current.
/// </summary>
internal static class TinyFaceDetectorGraph
{
    /// <summary>The ONNX model (opset 17) of the TensorFlow.js files.</summary>
    public static byte[] Convert(Stream manifest, Stream shard) => ToOnnx(LoadWeights(manifest, shard));

    // TensorFlow layouts (kh, kw, in, out) become ONNX's (out, in, kh, kw); a depthwise filter (kh, kw, in, 1) becomes (in, 1, kh, kw).
    internal static IEnumerable<(string Name, long[] Shape)> Shapes()
    {
        yield return ("conv0/filters", [16, 3, 3, 3]);
        yield return ("conv0/bias", [16]);
        int c = 16;
        for (int i = 1; i <= 5; i++, c *= 2)
        {
            yield return ($"conv{i}/depthwise_filter", [c, 1, 3, 3]);
            yield return ($"conv{i}/pointwise_filter", [2 * c, c, 1, 1]);
            yield return ($"conv{i}/bias", [2 * c]);
        }
        yield return ("conv8/filters", [25, 512, 1, 1]);
        yield return ("conv8/bias", [25]);
    }

    /// <summary>
    /// Reads a TensorFlow.js weights manifest and its binary shard: every tensor in order, float32 or uint8-quantised
    /// (value = q * scale + min), returned in ONNX's layout.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest or shard does not hold the tensors of this network.</exception>
    internal static IReadOnlyDictionary<string, float[]> LoadWeights(Stream manifest, Stream shard)
    {
        try { return ReadWeights(manifest, shard); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Not a TensorFlow.js weights manifest of this network: {e.Message}", e);
        }
    }

    private static IReadOnlyDictionary<string, float[]> ReadWeights(Stream manifest, Stream shard)
    {
        using var bin = new MemoryStream();
        using (shard) shard.CopyTo(bin);
        var bytes = bin.ToArray();
        using var json = JsonDocument.Parse(manifest);
        var raw = new Dictionary<string, (int[] Shape, float[] Values)>();
        int offset = 0;
        foreach (var w in json.RootElement.EnumerateArray().SelectMany(g => g.GetProperty("weights").EnumerateArray()))
        {
            string name = w.GetProperty("name").GetString()!;
            int[] shape = [.. w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())];
            int n = shape.Aggregate(1, (p, d) => p * d);
            var values = new float[n];
            if (w.TryGetProperty("quantization", out var q))
            {
                if (q.GetProperty("dtype").GetString() != "uint8") throw new InvalidDataException($"Tensor '{name}': only uint8 quantisation is read.");
                float scale = q.GetProperty("scale").GetSingle(), min = q.GetProperty("min").GetSingle();
                if (offset + n > bytes.Length) throw new InvalidDataException($"Tensor '{name}' runs past the end of the {bytes.Length}-byte shard.");
                for (int i = 0; i < n; i++) values[i] = bytes[offset + i] * scale + min;
                offset += n;
            }
            else
            {
                if (offset + 4 * n > bytes.Length) throw new InvalidDataException($"Tensor '{name}' runs past the end of the {bytes.Length}-byte shard.");
                Buffer.BlockCopy(bytes, offset, values, 0, 4 * n);
                offset += 4 * n;
            }
            raw[name] = (shape, values);
        }
        var result = new Dictionary<string, float[]>();
        foreach (var (name, shape) in Shapes())
        {
            if (!raw.TryGetValue(name, out var t)) throw new InvalidDataException($"The detector weights have no tensor '{name}'.");
            if (t.Values.Length != shape.Aggregate(1L, (p, d) => p * d))
                throw new InvalidDataException($"Tensor '{name}' has shape [{string.Join(", ", t.Shape)}], expected {shape.Aggregate(1L, (p, d) => p * d)} values.");
            result[name] = t.Shape.Length == 4 ? ToTorchLayout(t.Values, t.Shape, depthwise: name.Contains("depthwise", StringComparison.Ordinal)) : t.Values;
        }
        return result;
    }

    private static float[] ToTorchLayout(float[] v, int[] s, bool depthwise)
    {
        int kh = s[0], kw = s[1], cin = s[2], cout = s[3];
        var r = new float[v.Length];
        for (int y = 0; y < kh; y++)
        for (int x = 0; x < kw; x++)
        for (int i = 0; i < cin; i++)
        for (int o = 0; o < cout; o++)
        {
            float value = v[((y * kw + x) * cin + i) * cout + o];
            // Depthwise (multiplier 1): torch (in, 1, kh, kw). Otherwise (out, in, kh, kw).
            int at = depthwise ? (i * kh + y) * kw + x : ((o * cin + i) * kh + y) * kw + x;
            r[at] = value;
        }
        return r;
    }

    /// <summary>
    /// The network as an ONNX graph (opset 17), for ONNX Runtime, which runs its depthwise and 3-channel convolutions
    /// 2-3x faster than LibTorch on two cores (docs/BENCHMARKS.md, "Face detectors"). Input "image": 1 x 3 x S x S,
    /// (RGB - mean) / 255; output "boxes": 1 x 25 x S/32 x S/32.
    /// </summary>
    internal static byte[] ToOnnx(IReadOnlyDictionary<string, float[]> w)
    {
        var graph = new GraphProto { Name = "tiny_face_detector" };
        var shapes = Shapes().ToDictionary(x => x.Name, x => x.Shape);
        int n = 0;
        string Init(string name)
        {
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            proto.Dims.AddRange(shapes[name]);
            var bytes = new byte[w[name].Length * sizeof(float)];
            Buffer.BlockCopy(w[name], 0, bytes, 0, bytes.Length);
            proto.RawData = ByteString.CopyFrom(bytes);
            graph.Initializer.Add(proto);
            return name;
        }
        string Node(string op, IEnumerable<string> inputs, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = $"n{n}_{op}" };
            node.Input.AddRange(inputs);
            node.Output.Add($"t{n++}");
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
            return node.Output[0];
        }
        static AttributeProto Ints(string name, params long[] v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { v } };
        static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };
        var leaky = new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 0.1f };
        string x = Node("LeakyRelu", [Node("Conv", ["image", Init("conv0/filters"), Init("conv0/bias")], Ints("kernel_shape", 3, 3))], leaky);
        long c = 16;
        for (int i = 1; i <= 5; i++, c *= 2)
        {
            x = Node("MaxPool", [x], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Int("ceil_mode", 1));
            x = Node("Conv", [x, Init($"conv{i}/depthwise_filter")], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Int("group", c));
            x = Node("LeakyRelu", [Node("Conv", [x, Init($"conv{i}/pointwise_filter"), Init($"conv{i}/bias")], Ints("kernel_shape", 1, 1))], leaky);
        }
        // TensorFlow's 2x2 stride-1 'same' pool: one row and column of padding at the end (max pooling pads with -inf).
        x = Node("MaxPool", [x], Ints("kernel_shape", 2, 2), Ints("strides", 1, 1), Ints("pads", 0, 0, 1, 1));
        x = Node("Conv", [x, Init("conv8/filters"), Init("conv8/bias")], Ints("kernel_shape", 1, 1));
        graph.Node[^1].Output[0] = "boxes";
        graph.Input.Add(Value("image", [1, 3, "height", "width"]));
        graph.Output.Add(Value("boxes", [1, 25, "rows", "columns"]));
        var model = new ModelProto { IrVersion = 8, ProducerName = "Mien", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto Value(string name, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = System.Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }

}

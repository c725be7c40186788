using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Mien.Models.Onnx;

/// <summary>
/// Static int8 quantisation of an exported model, in ONNX's QDQ form (what onnxruntime.quantization writes with
/// <c>QuantFormat.QDQ</c>), done here because Debian has no Python ONNX Runtime:
/// <list type="bullet">
/// <item>Conv and Gemm weights: per-output-channel symmetric int8 initializers behind a DequantizeLinear (axis 0);
/// their biases int32 with scale = input scale x weight scale, as ONNX Runtime's QLinearConv expects;</item>
/// <item>activations (each Conv/Gemm input and output, and what MaxPool/Flatten pass on): QuantizeLinear ->
/// DequantizeLinear, uint8 asymmetric, the scale and zero point from the range the float32 graph produced on
/// calibration faces. A ReLU right after a Conv/Gemm is dropped: quantising its output range (zero point 0) clamps the same;</item>
/// <item>the normalisation in front and the last Gemm's output (logits), bias, temperature and softmax stay float32.</item>
/// </list>
/// ONNX Runtime then fuses the QDQ groups into QLinearConv / QGemm / uint8 MaxPool when it loads the file.
/// </summary>
public static class OnnxQuantizer
{
    // Ops whose output may reuse the input's scale and zero point: they only select or move values.
    private static readonly HashSet<string> PassThrough = ["MaxPool", "Flatten", "Relu"];

    /// <summary>
    /// Writes <paramref name="model"/> as an int8 QDQ .onnx file (atomically), calibrated on <paramref name="calibrationFaces"/>:
    /// grey S x S faces (0..255 bytes, S = the model's input size) prepared like training faces
    /// (<c>Mien.Experiments.Int8Export</c> loads them from a dataset). Same input, outputs and metadata as
    /// <see cref="OnnxExporter.Export"/>, plus a <c>quantization</c> entry.
    /// </summary>
    /// <param name="calibrationSource">Where the faces came from, for the file's metadata.</param>
    public static OnnxQuantizationSummary ExportInt8(EmotionModel model, string path, ReadOnlySpan<byte> calibrationFaces, string calibrationSource,
        OnnxQuantizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxQuantizationOptions();
        int s = model.InputSize, area = s * s;
        if (calibrationFaces.Length == 0 || calibrationFaces.Length % area != 0)
            throw new ArgumentException($"Calibration faces: {calibrationFaces.Length} bytes is not a whole number (> 0) of {s}x{s} faces.", nameof(calibrationFaces));
        int count = Math.Min(calibrationFaces.Length / area, Math.Max(1, options.CalibrationCount));
        var onnx = Quantize(OnnxExporter.Build(model), calibrationFaces[..(count * area)], count, s, options, calibrationSource, out var summary);
        OnnxExporter.WriteAtomically(onnx.ToByteArray(), path);
        return summary;
    }

    /// <summary>The QDQ graph of a float32 export, calibrated on <paramref name="count"/> S x S grey faces (0..255 bytes).</summary>
    internal static ModelProto Quantize(ModelProto fp32, ReadOnlySpan<byte> faces, int count, int size, OnnxQuantizationOptions options, string source,
        out OnnxQuantizationSummary summary)
    {
        if (count < 1) throw new ArgumentException("No calibration faces.");
        var model = fp32.Clone();
        var g = model.Graph;
        var inits = g.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var outputs = g.Output.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var n in g.Node)
            foreach (var i in n.Input)
                if (i.Length > 0) (consumers.TryGetValue(i, out var l) ? l : consumers[i] = []).Add(n);
        int Uses(string name) => consumers.TryGetValue(name, out var l) ? l.Count : 0;
        bool OwnConstant(string name) => inits.ContainsKey(name) && Uses(name) == 1;

        // 1. The operators that get int8 weights: Conv, and Gemm as the exporter writes it (y = x W^T + b).
        var ops = g.Node.Where(n => n.OpType switch
        {
            "Conv" => true,
            "Gemm" => n.Attribute.All(a => a.Name == "transB" && a.I == 1 || a.Name is "alpha" or "beta" && a.F == 1f) && n.Attribute.Any(a => a.Name == "transB"),
            _ => false,
        } && n.Input.Count >= 2 && !inits.ContainsKey(n.Input[0]) && OwnConstant(n.Input[1])
          && (n.Input.Count < 3 || n.Input[2].Length == 0 || OwnConstant(n.Input[2]))).ToHashSet<NodeProto>(ReferenceEqualityComparer.Instance);

        // 2. A ReLU that alone reads a quantised operator's output is dropped: that output is quantised with the ReLU's range.
        var dropped = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var op in ops)
            if (!outputs.Contains(op.Output[0]) && consumers.TryGetValue(op.Output[0], out var c) && c is [{ OpType: "Relu" } relu] && !outputs.Contains(relu.Output[0]))
            {
                op.Output[0] = relu.Output[0];
                dropped.Add(relu);
            }

        // 3. The activations: each operator's input and output get their own range; pass-through ops reuse their input's.
        var own = new List<string>();
        var sharedWith = new Dictionary<string, string>(StringComparer.Ordinal);
        bool Quantised(string t) => sharedWith.ContainsKey(t) || own.Contains(t);
        foreach (var n in g.Node)
        {
            if (dropped.Contains(n)) continue;
            if (ops.Contains(n))
            {
                if (!Quantised(n.Input[0])) own.Add(n.Input[0]);
                if (!outputs.Contains(n.Output[0])) own.Add(n.Output[0]); // the logits stay float32
            }
            else if (PassThrough.Contains(n.OpType) && Quantised(n.Input[0]) && !outputs.Contains(n.Output[0]))
                sharedWith[n.Output[0]] = sharedWith.TryGetValue(n.Input[0], out var root) ? root : n.Input[0];
        }

        // 4. Ranges: the float32 graph on the calibration faces, every tensor of `own` read out.
        var ranges = Calibrate(fp32, own, faces, count, size, options);
        var qparams = new Dictionary<string, (float Scale, byte Zero)>(StringComparer.Ordinal);
        foreach (var t in own) qparams[t] = UInt8Params(ranges[t]);
        foreach (var (t, root) in sharedWith) qparams[t] = qparams[root];

        // 5. The new node list: Q -> DQ after each quantised activation (readers switched to the DQ output), DQ before each weight.
        var nodes = new List<NodeProto>();
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        var removedInits = new HashSet<string>(StringComparer.Ordinal);
        void QuantiseActivation(string t)
        {
            var (scale, zero) = qparams[t];
            string sc = AddInit(g, ScalarFloat($"{t}.q_scale", scale)), zp = AddInit(g, ScalarUInt8($"{t}.q_zero", zero));
            nodes.Add(NodeOf("QuantizeLinear", $"{t}.quantize", [t, sc, zp], $"{t}.q"));
            nodes.Add(NodeOf("DequantizeLinear", $"{t}.dequantize", [$"{t}.q", sc, zp], $"{t}.dq"));
            renamed[t] = $"{t}.dq";
        }
        foreach (var input in g.Input)
            if (qparams.ContainsKey(input.Name)) QuantiseActivation(input.Name);
        float maxQ = options.ReduceRange ? 63 : 127;
        foreach (var n in g.Node)
        {
            if (dropped.Contains(n)) continue;
            if (ops.Contains(n))
            {
                string w = n.Input[1];
                var weight = inits[w];
                var (wq, wScale) = PerChannelInt8(weight, maxQ);
                nodes.Add(NodeOf("DequantizeLinear", $"{w}.dequantize",
                    [AddInit(g, wq), AddInit(g, FloatVector($"{w}.q_scale", wScale)), AddInit(g, Int8Zeros($"{w}.q_zero", wScale.Length))], $"{w}.dq", axis: 0));
                removedInits.Add(w);
                n.Input[1] = $"{w}.dq";
                if (n.Input.Count >= 3 && n.Input[2].Length > 0)
                {
                    string b = n.Input[2];
                    float xScale = qparams[n.Input[0]].Scale;
                    var bScale = wScale.Select(ws => xScale * ws).ToArray();
                    var bq = Int32Bias(inits[b], bScale);
                    nodes.Add(NodeOf("DequantizeLinear", $"{b}.dequantize",
                        [AddInit(g, bq), AddInit(g, FloatVector($"{b}.q_scale", bScale)), AddInit(g, Int32Zeros($"{b}.q_zero", bScale.Length))], $"{b}.dq", axis: 0));
                    removedInits.Add(b);
                    n.Input[2] = $"{b}.dq";
                }
            }
            for (int i = 0; i < n.Input.Count; i++)
                if (renamed.TryGetValue(n.Input[i], out var r)) n.Input[i] = r;
            nodes.Add(n);
            foreach (var o in n.Output)
                if (qparams.ContainsKey(o)) QuantiseActivation(o);
        }
        g.Node.Clear();
        g.Node.AddRange(nodes);
        var keep = g.Initializer.Where(t => !removedInits.Contains(t.Name)).ToList();
        g.Initializer.Clear();
        g.Initializer.AddRange(keep);

        string method = options.Method == OnnxCalibrationMethod.Percentile
            ? $"percentile {options.Percentile.ToString(CultureInfo.InvariantCulture)} %"
            : "min/max";
        string description = $"int8 QDQ: per-channel symmetric int8 weights{(options.ReduceRange ? " (7-bit, reduce_range)" : "")} for {ops.Count} Conv/Gemm, " +
            $"uint8 asymmetric activations ({qparams.Count} tensors) calibrated ({method}) on {count} faces of {source}; logits, bias, temperature and softmax in float32";
        g.DocString += " " + description + ".";
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxContract.QuantizationKey, Value = description });
        summary = new OnnxQuantizationSummary(count, ops.Count, qparams.Count, description);
        return model;
    }

    /// <summary>(low, high) of each tensor over the calibration faces, by min/max or percentiles.</summary>
    private static Dictionary<string, (float Lo, float Hi)> Calibrate(ModelProto fp32, IReadOnlyList<string> tensors, ReadOnlySpan<byte> faces, int count, int size,
        OnnxQuantizationOptions options)
    {
        var probe = fp32.Clone();
        var present = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var t in tensors.Where(t => !present.Contains(t)))
            probe.Graph.Output.Add(new ValueInfoProto { Name = t, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } } });
        using var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        using var session = new InferenceSession(probe.ToByteArray(), so);

        int area = size * size, batch = Math.Max(1, options.BatchSize), batches = (count + batch - 1) / batch;
        bool percentile = options.Method == OnnxCalibrationMethod.Percentile;
        const int SamplesPerTensor = 1 << 18; // per tensor: enough for a 99.99th percentile (26 values beyond it), cheap to sort
        var lo = tensors.ToDictionary(t => t, _ => float.PositiveInfinity, StringComparer.Ordinal);
        var hi = tensors.ToDictionary(t => t, _ => float.NegativeInfinity, StringComparer.Ordinal);
        var samples = tensors.ToDictionary(t => t, _ => new List<float>(), StringComparer.Ordinal);
        var rng = new Random(1);
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            var data = new float[n * area];
            var src = faces.Slice(start * area, n * area);
            for (int i = 0; i < data.Length; i++) data[i] = src[i];
            var input = NamedOnnxValue.CreateFromTensor(OnnxContract.InputName, new DenseTensor<float>(data, [n, 1, size, size]));
            using var results = session.Run([input], tensors);
            foreach (var r in results)
            {
                var values = ((DenseTensor<float>)r.AsTensor<float>()).Buffer.Span;
                float a = lo[r.Name], b = hi[r.Name];
                foreach (var v in values) { if (v < a) a = v; if (v > b) b = v; }
                (lo[r.Name], hi[r.Name]) = (a, b);
                if (percentile)
                {
                    var list = samples[r.Name];
                    int take = Math.Min(values.Length, SamplesPerTensor / batches + 1);
                    for (int k = 0; k < take; k++) list.Add(values[take == values.Length ? k : rng.Next(values.Length)]);
                }
            }
        }
        var ranges = new Dictionary<string, (float, float)>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!percentile) { ranges[t] = (lo[t], hi[t]); continue; }
            var sorted = samples[t].ToArray();
            Array.Sort(sorted);
            double q = Math.Clamp(options.Percentile, 50, 100) / 100;
            int iHi = (int)Math.Min(sorted.Length - 1, Math.Ceiling(q * sorted.Length) - 1), iLo = sorted.Length - 1 - iHi;
            ranges[t] = (sorted[Math.Max(0, iLo)], sorted[Math.Max(0, iHi)]);
        }
        return ranges;
    }

    /// <summary>uint8 scale and zero point covering [lo, hi] and 0 (ONNX Runtime's asymmetric scheme).</summary>
    internal static (float Scale, byte Zero) UInt8Params((float Lo, float Hi) range)
    {
        float lo = Math.Min(range.Lo, 0), hi = Math.Max(range.Hi, 0);
        if (!float.IsFinite(lo) || !float.IsFinite(hi) || hi - lo <= 0) return (1f, 0);
        float scale = (hi - lo) / 255f;
        return (scale, (byte)Math.Clamp(MathF.Round(-lo / scale), 0, 255));
    }

    /// <summary>int8 values and one scale per output channel (axis 0): scale = max|w| / maxQ, zero point 0.</summary>
    private static (TensorProto Values, float[] Scales) PerChannelInt8(TensorProto weight, float maxQ)
    {
        var w = Floats(weight);
        int channels = (int)weight.Dims[0], per = w.Length / channels;
        var scales = new float[channels];
        var q = new byte[w.Length];
        for (int c = 0; c < channels; c++)
        {
            float max = 0;
            for (int i = c * per; i < (c + 1) * per; i++) max = Math.Max(max, Math.Abs(w[i]));
            float s = max > 0 ? max / maxQ : 1f; // an all-zero channel quantises to zeros with any scale
            scales[c] = s;
            for (int i = c * per; i < (c + 1) * per; i++) q[i] = unchecked((byte)(sbyte)Math.Clamp(MathF.Round(w[i] / s), -maxQ, maxQ));
        }
        var proto = new TensorProto { Name = weight.Name + ".q", DataType = (int)DataType.Int8, RawData = ByteString.CopyFrom(q) };
        proto.Dims.AddRange(weight.Dims);
        return (proto, scales);
    }

    private static TensorProto Int32Bias(TensorProto bias, float[] scales)
    {
        var b = Floats(bias);
        var q = new int[b.Length];
        for (int i = 0; i < b.Length; i++) q[i] = (int)Math.Clamp(Math.Round((double)b[i] / scales[i]), int.MinValue, int.MaxValue);
        var bytes = new byte[q.Length * 4];
        Buffer.BlockCopy(q, 0, bytes, 0, bytes.Length);
        var proto = new TensorProto { Name = bias.Name + ".q", DataType = (int)DataType.Int32, RawData = ByteString.CopyFrom(bytes) };
        proto.Dims.AddRange(bias.Dims);
        return proto;
    }

    private static float[] Floats(TensorProto t)
    {
        if (t.DataType != (int)DataType.Float) throw new InvalidDataException($"{t.Name}: expected a float32 initializer, got data type {t.DataType}.");
        return OnnxFile.FloatValues(t, "the exported graph");
    }

    private static string AddInit(GraphProto g, TensorProto t)
    {
        g.Initializer.Add(t);
        return t.Name;
    }

    private static TensorProto ScalarFloat(string name, float v) => new() { Name = name, DataType = (int)DataType.Float, FloatData = { v } };
    private static TensorProto ScalarUInt8(string name, byte v) => new() { Name = name, DataType = (int)DataType.Uint8, RawData = ByteString.CopyFrom(v) };

    private static TensorProto FloatVector(string name, float[] v)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float, FloatData = { v } };
        t.Dims.Add(v.Length);
        return t;
    }

    private static TensorProto Int8Zeros(string name, int n)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int8, RawData = ByteString.CopyFrom(new byte[n]) };
        t.Dims.Add(n);
        return t;
    }

    private static TensorProto Int32Zeros(string name, int n)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int32, RawData = ByteString.CopyFrom(new byte[n * 4]) };
        t.Dims.Add(n);
        return t;
    }

    private static NodeProto NodeOf(string op, string name, string[] inputs, string output, long? axis = null)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        if (axis is { } a) n.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = a });
        return n;
    }
}

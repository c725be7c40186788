using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Mien.Models.Onnx;

/// <summary>
/// An ONNX CNN as a trainable TorchSharp module: each Conv, BatchNormalization and Gemm becomes a TorchSharp layer
/// (so optimisers, state dicts, batch-norm statistics and channels-last work as for any network), the other
/// operators are functions, and forward runs the nodes in the graph's order on named tensors.
/// Asymmetric padding (CNTK's stride-2 <c>pads [1,1,0,0]</c>) is an explicit pad before a symmetric layer.
/// A last AveragePool that produces the graph output is made global, so the trunk takes any input size
/// (at the size it was exported for, the two are the same).
/// </summary>
internal sealed class OnnxGraphModule : nn.Module<Tensor, Tensor>
{
    private readonly OnnxGraphSpec _graph;
    private readonly List<Func<Func<string, Tensor>, Tensor[]>> _steps = [];
    private readonly List<(string Initializer, Tensor Target, bool Transpose)> _weights = [];
    // Per node, the tensors no later node reads: dropped after it, so a forward holds only the live ones.
    private readonly List<string>[] _dropAfter;
    // The layer each Conv / BatchNormalization / Gemm node became, and a Conv's asymmetric extra padding (for Compile).
    private readonly Dictionary<int, nn.Module> _layers = [];
    private readonly Dictionary<int, long[]> _extraPads = [];

    public OnnxGraphModule(OnnxGraphSpec graph, string origin) : base("onnx_graph")
    {
        _graph = graph;
        for (int i = 0; i < graph.Nodes.Count; i++) _steps.Add(Build(graph.Nodes[i], i, $"{origin}: ONNX node {i} ({graph.Nodes[i].Op})"));
        RegisterComponents();
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Nodes.Count; i++) foreach (var x in graph.Nodes[i].Inputs) last[x] = i;
        _dropAfter = graph.Nodes.Select(_ => new List<string>()).ToArray();
        foreach (var (name, i) in last) if (name != graph.Output) _dropAfter[i].Add(name);
    }

    /// <summary>The topology it runs (for the ONNX exporter).</summary>
    public OnnxGraphSpec Graph => _graph;

    /// <summary>Initializer names the module's weights come from, with the tensor each fills.</summary>
    public IReadOnlyList<(string Initializer, Tensor Target, bool Transpose)> Weights => _weights;

    public override Tensor forward(Tensor input)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [_graph.Input] = input };
        Tensor Get(string name) => values.TryGetValue(name, out var t) ? t
            : throw new ModelFormatException($"ONNX graph: tensor '{name}' is read before any node computes it (is the graph topologically sorted?).");
        for (int i = 0; i < _steps.Count; i++)
        {
            var outputs = _steps[i](Get);
            var node = _graph.Nodes[i];
            for (int k = 0; k < outputs.Length && k < node.Outputs.Count; k++) values[node.Outputs[k]] = outputs[k];
            foreach (var name in _dropAfter[i]) values.Remove(name);
        }
        return Get(_graph.Output);
    }

    /// <summary>
    /// The graph for the inference plan: each BatchNormalization that only reads a Conv folded into it, weights in
    /// <paramref name="dtype"/>, activations channels-last; the other operators run as in forward. A snapshot of the
    /// weights; <paramref name="keep"/> takes ownership of the tensors it makes.
    /// </summary>
    internal Func<Tensor, Tensor> Compile(ScalarType dtype, Func<Tensor, Tensor> keep)
    {
        var nodes = _graph.Nodes;
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in nodes) foreach (var x in n.Inputs) readers[x] = readers.GetValueOrDefault(x) + 1;
        var steps = new List<(Func<Func<string, Tensor>, Tensor[]> Run, List<string> Outputs, List<string> Drop)>();
        for (int i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            string x = n.Inputs[0];
            var drop = new List<string>(_dropAfter[i]);
            switch (_layers.GetValueOrDefault(i))
            {
                case Conv2d conv:
                {
                    var extra = _extraPads[i];
                    var w = conv.weight!.detach().clone();
                    var b = conv.bias?.detach().clone() ?? torch.zeros(conv.out_channels);
                    var outputs = n.Outputs;
                    if (i + 1 < nodes.Count && _layers.GetValueOrDefault(i + 1) is BatchNorm2d bn && nodes[i + 1].Inputs[0] == n.Outputs[0]
                        && readers.GetValueOrDefault(n.Outputs[0]) == 1 && n.Outputs[0] != _graph.Output)
                    {
                        (w, b) = BatchNormFolding.Fold(w, b, bn);
                        outputs = nodes[++i].Outputs;
                        drop.AddRange(_dropAfter[i]);
                        drop.Remove(n.Outputs[0]);
                    }
                    w = keep(MemoryLayout.ChannelsLast(w.to(dtype)));
                    b = keep(b.to(dtype));
                    long[] stride = conv.stride, padding = conv.padding!, dilation = conv.dilation;
                    long groups = conv.groups;
                    steps.Add((get => [MemoryLayout.ChannelsLast(F.conv2d(Pad(get(x), extra, 0), w, b, stride, padding, dilation, groups))], outputs, drop));
                    break;
                }
                case BatchNorm2d bn:
                {
                    var (scale, shift) = BatchNormFolding.Affine(bn);
                    scale = keep(scale.to(dtype).reshape(1, -1, 1, 1));
                    shift = keep(shift.to(dtype).reshape(1, -1, 1, 1));
                    var one = 1.0.ToScalar(); // held by the closure for the plan's life (see BatchNormFolding)
                    steps.Add((get => [torch.addcmul(shift, get(x), scale, one)], n.Outputs, drop));
                    break;
                }
                case Linear linear:
                {
                    var w = keep(linear.weight!.detach().to(dtype));
                    var b = linear.bias is { } bias ? keep(bias.detach().to(dtype)) : null;
                    steps.Add((get => [F.linear(get(x), w, b)], n.Outputs, drop));
                    break;
                }
                default:
                    steps.Add((_steps[i], n.Outputs, drop));
                    break;
            }
        }
        return input =>
        {
            var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [_graph.Input] = input };
            Tensor Get(string name) => values[name];
            foreach (var (run, outputs, drop) in steps)
            {
                var results = run(Get);
                for (int k = 0; k < results.Length && k < outputs.Count; k++) values[outputs[k]] = results[k];
                foreach (var name in drop) values.Remove(name);
            }
            return values[_graph.Output];
        };
    }

    private Func<Func<string, Tensor>, Tensor[]> Build(OnnxNodeSpec n, int index, string at)
    {
        string x = n.Inputs.Count > 0 ? n.Inputs[0] : throw new ModelFormatException($"{at}: no input.");
        switch (n.Op)
        {
            case "Conv":
            {
                var w = Shape(n, 1, at);
                if (w.Length != 4) throw new ModelFormatException($"{at}: only 2-D convolutions are supported (weight [{string.Join("x", w)}]).");
                RequireNoAutoPad(n, at);
                var (pads, extra) = SplitPads(Ints(n, "pads", 0, 0, 0, 0), at);
                var stride = Ints(n, "strides", 1, 1);
                var dilation = Ints(n, "dilations", 1, 1);
                long groups = Int(n, "group", 1);
                bool bias = n.Inputs.Count > 2 && n.Inputs[2].Length > 0;
                var conv = nn.Conv2d(w[1] * groups, w[0], (w[2], w[3]), stride: (stride[0], stride[1]), padding: (pads[0], pads[1]),
                    dilation: (dilation[0], dilation[1]), groups: groups, bias: bias);
                Register($"n{index}_conv", conv);
                _layers[index] = conv;
                _extraPads[index] = extra;
                _weights.Add((n.Inputs[1], conv.weight!, false));
                if (bias) _weights.Add((n.Inputs[2], conv.bias!, false));
                return get => [conv.call(Pad(get(x), extra, 0))];
            }
            case "BatchNormalization":
            {
                long c = Shape(n, 1, at)[0];
                var bn = nn.BatchNorm2d(c, eps: n.Floats.GetValueOrDefault("epsilon", 1e-5f));
                Register($"n{index}_bn", bn);
                _layers[index] = bn;
                _weights.Add((n.Inputs[1], bn.weight!, false));
                _weights.Add((n.Inputs[2], bn.bias!, false));
                _weights.Add((n.Inputs[3], bn.running_mean!, false));
                _weights.Add((n.Inputs[4], bn.running_var!, false));
                return get => [bn.call(get(x))];
            }
            case "Gemm":
            {
                if (Int(n, "transA", 0) != 0 || n.Floats.GetValueOrDefault("alpha", 1f) != 1f || n.Floats.GetValueOrDefault("beta", 1f) != 1f)
                    throw new ModelFormatException($"{at}: only Gemm as a linear layer (transA 0, alpha 1, beta 1) is supported.");
                bool transB = Int(n, "transB", 0) != 0;
                var b = Shape(n, 1, at);
                long inF = transB ? b[1] : b[0], outF = transB ? b[0] : b[1];
                bool bias = n.Inputs.Count > 2 && n.Inputs[2].Length > 0;
                var linear = nn.Linear(inF, outF, hasBias: bias);
                Register($"n{index}_linear", linear);
                _layers[index] = linear;
                _weights.Add((n.Inputs[1], linear.weight!, !transB));
                if (bias) _weights.Add((n.Inputs[2], linear.bias!, false));
                return get => [linear.call(get(x))];
            }
            case "Relu": return get => [F.relu(get(x))];
            case "LeakyRelu": { double a = n.Floats.GetValueOrDefault("alpha", 0.01f); return get => [F.leaky_relu(get(x), a)]; }
            case "Sigmoid": return get => [F.sigmoid(get(x))];
            case "Identity" or "Dropout": return get => [get(x)];
            case "Add" or "Mul":
            {
                if (n.Inputs.Count != 2 || n.Inputs.Any(_graph.Initializers.ContainsKey))
                    throw new ModelFormatException($"{at}: {n.Op} is supported between two computed tensors, not with a constant.");
                string y = n.Inputs[1];
                return n.Op == "Add" ? get => [get(x) + get(y)] : get => [get(x) * get(y)];
            }
            case "Concat":
            {
                long axis = Int(n, "axis", 1);
                var inputs = n.Inputs.ToArray();
                return get => [torch.cat(inputs.Select(get).ToArray(), axis)];
            }
            case "MaxPool":
            {
                RequireNoAutoPad(n, at);
                var k = Ints(n, "kernel_shape");
                var s = Ints(n, "strides", 1, 1);
                var (pads, extra) = SplitPads(Ints(n, "pads", 0, 0, 0, 0), at);
                bool ceil = Int(n, "ceil_mode", 0) != 0;
                if (Ints(n, "dilations", 1, 1).Any(d => d != 1)) throw new ModelFormatException($"{at}: dilated max-pooling is not supported.");
                return get => [F.max_pool2d(Pad(get(x), extra, double.NegativeInfinity), k, s, pads, ceil_mode: ceil)];
            }
            case "AveragePool":
            {
                if (n.Outputs.Contains(_graph.Output)) return get => [F.adaptive_avg_pool2d(get(x), [1, 1])];
                RequireNoAutoPad(n, at);
                var k = Ints(n, "kernel_shape");
                var s = Ints(n, "strides", 1, 1);
                var (pads, extra) = SplitPads(Ints(n, "pads", 0, 0, 0, 0), at);
                if (extra.Any(e => e != 0)) throw new ModelFormatException($"{at}: asymmetric average-pool padding is not supported.");
                bool ceil = Int(n, "ceil_mode", 0) != 0, includePad = Int(n, "count_include_pad", 0) != 0;
                return get => [F.avg_pool2d(get(x), k, s, pads, ceil_mode: ceil, count_include_pad: includePad)];
            }
            case "GlobalAveragePool": return get => [F.adaptive_avg_pool2d(get(x), [1, 1])];
            case "Flatten":
            {
                long axis = Int(n, "axis", 1);
                if (axis != 1) throw new ModelFormatException($"{at}: only Flatten with axis 1 is supported.");
                return get => [get(x).flatten(1)];
            }
            default: throw new ModelFormatException($"{at}: operator {n.Op} is not supported.");
        }
    }

    private void Register(string name, nn.Module module) => register_module(name, module);

    private long[] Shape(OnnxNodeSpec n, int input, string at) =>
        n.Inputs.Count > input && _graph.Initializers.TryGetValue(n.Inputs[input], out var s) ? s
            : throw new ModelFormatException($"{at}: input {input} must be a weight (an initializer of the graph).");

    private static long Int(OnnxNodeSpec n, string name, long fallback) => n.Ints.TryGetValue(name, out var v) && v.Length > 0 ? v[0] : fallback;

    private static long[] Ints(OnnxNodeSpec n, string name, params long[] fallback) =>
        n.Ints.TryGetValue(name, out var v) ? v : fallback.Length > 0 ? fallback : throw new ModelFormatException($"ONNX {n.Op}: attribute '{name}' is required.");

    private static void RequireNoAutoPad(OnnxNodeSpec n, string at)
    {
        var mode = n.Strings.GetValueOrDefault("auto_pad", "NOTSET");
        if (mode is not ("NOTSET" or "VALID" or ""))
            throw new ModelFormatException($"{at}: auto_pad {mode} is not supported; export with explicit pads.");
    }

    /// <summary>ONNX pads [top, left, bottom, right] as a symmetric part for the layer and the rest as an explicit pad (left, right, top, bottom).</summary>
    private static (long[] Symmetric, long[] Extra) SplitPads(long[] pads, string at)
    {
        if (pads.Length != 4 || pads.Any(p => p < 0)) throw new ModelFormatException($"{at}: pads [{string.Join(",", pads)}] must be 4 non-negative numbers.");
        long h = Math.Min(pads[0], pads[2]), w = Math.Min(pads[1], pads[3]);
        return ([h, w], [pads[1] - w, pads[3] - w, pads[0] - h, pads[2] - h]);
    }

    private static Tensor Pad(Tensor t, long[] extra, double value) =>
        extra.All(e => e == 0) ? t : F.pad(t, extra, PaddingModes.Constant, value);
}

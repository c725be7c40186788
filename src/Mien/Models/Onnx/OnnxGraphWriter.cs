using Google.Protobuf;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mien.Models.Onnx;

/// <summary>
/// Translates a TorchSharp network in evaluation mode into ONNX nodes and initializers, module by module, the way
/// <see cref="InferencePlan"/> compiles it: batch norm folded into the convolution or linear layer before it,
/// dropout and identities dropped. Knows what <see cref="ModelBuilder"/> builds (and torchvision's ResNet, VGG,
/// MobileNetV2, MobileNetV3 and Inception v3 trunks); anything else is an <see cref="OnnxExportException"/> naming the module.
/// </summary>
internal sealed class OnnxGraphWriter
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _nodes;

    public OnnxGraphWriter(GraphProto graph) => _graph = graph;

    /// <summary>Writes <paramref name="module"/> applied to the tensor named <paramref name="input"/>; returns its output's name.</summary>
    public string Write(nn.Module module, string path, string input) => Sequence([(path, module)], input);

    private string Sequence(IEnumerable<(string Path, nn.Module Module)> modules, string x)
    {
        var mods = Flatten(modules);
        for (int i = 0; i < mods.Count; i++)
        {
            var (path, m) = mods[i];
            var next = i + 1 < mods.Count ? mods[i + 1].Module : null;
            switch (m)
            {
                case Dropout or Dropout2d or Identity:
                    break;
                case Conv2d c:
                {
                    if (c.transposed || c.padding_mode != PaddingModes.Zeros || c.padding is null)
                        throw new OnnxExportException($"{path}: only zero-padded, non-transposed convolutions with explicit padding are exported.");
                    var w = c.weight!.detach();
                    var b = c.bias?.detach() ?? torch.zeros(c.out_channels);
                    if (next is BatchNorm2d bn) { (w, b) = BatchNormFolding.Fold(w, b, bn); i++; }
                    long[] pads = [c.padding[0], c.padding[1], c.padding[0], c.padding[1]];
                    x = Node("Conv", path, [x, Initializer(path + ".weight", w), Initializer(path + ".bias", b)],
                        Ints("kernel_shape", c.kernel_size), Ints("strides", c.stride), Ints("pads", pads),
                        Ints("dilations", c.dilation), Int("group", c.groups));
                    break;
                }
                case Linear l:
                {
                    var w = l.weight!.detach();
                    var b = l.bias?.detach() ?? torch.zeros(l.out_features);
                    if (next is BatchNorm1d bn) { (w, b) = BatchNormFolding.Fold(w, b, bn); i++; }
                    x = Node("Gemm", path, [x, Initializer(path + ".weight", w), Initializer(path + ".bias", b)], Int("transB", 1));
                    break;
                }
                case BatchNorm bn:
                {
                    // On its own, a batch norm is a per-channel affine map: x * scale + shift, broadcast over H x W.
                    var (scale, shift) = BatchNormFolding.Affine(bn);
                    long[] shape = bn is BatchNorm1d ? [-1] : [-1, 1, 1];
                    x = Node("Mul", path + ".scale", [x, Initializer(path + ".scale", scale.reshape(shape))]);
                    x = Node("Add", path, [x, Initializer(path + ".shift", shift.reshape(shape))]);
                    break;
                }
                case ReLU: x = Node("Relu", path, [x]); break;
                case ReLU6 r when Backbones.ComputesReLU(r):
                    // MobileNetV3's squeeze-excitation ReLU6, hooked to compute torchvision's ReLU (see Backbones).
                    x = Node("Relu", path, [x]);
                    break;
                case ReLU6: x = Node("Clip", path, [x, Scalar(path + ".min", 0), Scalar(path + ".max", 6)]); break;
                case Hardtanh h: x = Node("Clip", path, [x, Scalar(path + ".min", (float)h.min_val), Scalar(path + ".max", (float)h.max_val)]); break;
                case LeakyReLU r: x = Node("LeakyRelu", path, [x], Float("alpha", r.negative_slope)); break;
                case ELU e: x = Node("Elu", path, [x], Float("alpha", e.alpha)); break;
                case SELU: x = Node("Selu", path, [x]); break; // ONNX's default alpha and gamma are PyTorch's constants
                case Tanh: x = Node("Tanh", path, [x]); break;
                case Sigmoid: x = Node("Sigmoid", path, [x]); break;
                case SiLU: x = Node("Mul", path, [x, Node("Sigmoid", path + ".sigmoid", [x])]); break;
                // relu6(x + 3) / 6 is HardSigmoid(x / 6 + 1/2); HardSwish (opset 14) is x times that.
                case Hardsigmoid: x = Node("HardSigmoid", path, [x], Float("alpha", 1.0 / 6), Float("beta", 0.5)); break;
                case Hardswish: x = Node("HardSwish", path, [x]); break;
                case torchvision.SqueezeExcitation se:
                {
                    var scalePath = SqueezeExcitationBlock.ScalePath(se, message => new OnnxExportException($"{path}: {message}"));
                    var scale = Sequence(scalePath.Select(c => ($"{path}.{c.Name}", c.Module)), x);
                    // Expanded to x's shape first: OpenCV DNN 4.13 multiplies N x C x H x W by a computed N x C x 1 x 1
                    // into an N x C x 1 x 1 result (measured); with equal shapes every runtime agrees.
                    var expanded = Node("Expand", path + ".expanded", [scale, Node("Shape", path + ".shape", [x])]);
                    x = Node("Mul", path, [x, expanded]);
                    break;
                }
                case GELU g:
                {
                    // Opset 17 has no Gelu (it came in opset 20): x/2 * (1 + erf(x/sqrt 2)).
                    if (g.approximate != GELU.Approximate.none) throw new OnnxExportException($"{path}: only the exact (erf) GELU is exported, not approximate={g.approximate}.");
                    var erf = Node("Erf", path + ".erf", [Node("Div", path + ".scaled", [x, Scalar(path + ".sqrt2", MathF.Sqrt(2))])]);
                    var half = Node("Mul", path + ".half", [x, Scalar(path + ".0_5", 0.5f)]);
                    x = Node("Mul", path, [half, Node("Add", path + ".one_plus", [erf, Scalar(path + ".one", 1)])]);
                    break;
                }
                case MaxPool2d p:
                {
                    long[] k = p.kernel_size, s = p.stride ?? p.kernel_size, pad = p.padding ?? [0, 0], d = p.dilation ?? [1, 1];
                    x = Node("MaxPool", path, [x], Pool(k, s, pad, d.Any(v => v != 1) ? Ints("dilations", d) : null, p.ceil_mode));
                    break;
                }
                case AvgPool2d p:
                {
                    if (p.divisor_override is not null) throw new OnnxExportException($"{path}: average pooling with divisor_override is not exported.");
                    long[] k = p.kernel_size, s = p.stride ?? p.kernel_size, pad = p.padding ?? [0, 0];
                    x = Node("AveragePool", path, [x], Pool(k, s, pad, p.count_include_pad ? Int("count_include_pad", 1) : null, p.ceil_mode));
                    break;
                }
                case AdaptiveAvgPool2d a:
                    if (a.output_size.Any(o => o != 1)) throw new OnnxExportException($"{path}: adaptive average pooling to {string.Join("x", a.output_size)} is not exported; only to 1x1 (global).");
                    x = Node("GlobalAveragePool", path, [x]);
                    break;
                case TorchSharp.Modules.Flatten f:
                    if (f.start_dim != 1 || f.end_dim != -1) throw new OnnxExportException($"{path}: only flatten from dimension 1 is exported.");
                    x = Node("Flatten", path, [x], Int("axis", 1));
                    break;
                case ResidualBlock r:
                {
                    var main = Write(r.Main, path + ".main", x);
                    var shortcut = Write(r.Shortcut, path + ".shortcut", x);
                    x = Node("Add", path, [main, shortcut]);
                    break;
                }
                case Subsample s:
                    x = Node("Slice", path, [x, Int64s(path + ".starts", [0, 0]), Int64s(path + ".ends", [long.MaxValue, long.MaxValue]),
                        Int64s(path + ".axes", [2, 3]), Int64s(path + ".steps", [s.Stride, s.Stride])]);
                    break;
                case GreyToRgb:
                    x = Node("Concat", path, [x, x, x], Int("axis", 1));
                    break;
                case OnnxGraphModule g:
                    x = ImportedGraph(g, path, x);
                    break;
                default:
                    x = Torchvision(m, path, x);
                    break;
            }
        }
        return x;
    }

    private static List<(string Path, nn.Module Module)> Flatten(IEnumerable<(string Path, nn.Module Module)> modules) =>
        modules.SelectMany(m => m.Module is Sequential s
            ? Flatten(s.named_children().Select(c => ($"{m.Path}.{c.name}", (nn.Module)c.module)))
            : [m]).ToList();

    /// <summary>The residual units of torchvision's trunks, whose forward is code rather than a sequence of children.</summary>
    private string Torchvision(nn.Module m, string path, string x)
    {
        if (InceptionBlock.Describe(m, message => new OnnxExportException($"{path}: {message}")) is { } branches) return Inception(branches, path, x);
        var block = TorchvisionBlock.Describe(m, message => new OnnxExportException($"{path}: {message}"))
            ?? throw new OnnxExportException($"{path}: layer type {m.GetType().Name} cannot be exported to ONNX. The exporter knows Mien's spec layers, " +
                "torchvision's ResNet, VGG, MobileNetV2, MobileNetV3 and Inception v3 trunks and imported ONNX graphs.");
        var main = Sequence(block.Main.Select(c => ($"{path}.{c.Name}", c.Module)), x);
        if (!block.Residual) return main;
        var identity = block.Downsample is { } d ? Sequence([($"{path}.{d.Name}", d.Module)], x) : x;
        return block.ReluAfterSum ? Node("Relu", path, [Node("Add", path + ".add", [main, identity])]) : Node("Add", path, [main, identity]);
    }

    /// <summary>
    /// torchvision's Inception blocks: each branch (pooling with torchvision's padding and count_include_pad, then its
    /// convolutions, InceptionE's pairs both kept), all concatenated along channels in forward's order, as the plan does.
    /// </summary>
    private string Inception(IReadOnlyList<InceptionBranch> branches, string path, string x)
    {
        var outputs = new List<string>();
        foreach (var b in branches)
        {
            string at = b.Sequence.Count > 0 ? $"{path}.{b.Sequence[0].Name}" : path;
            var input = b.Pool switch
            {
                InceptionPool.Average3x3Same => Node("AveragePool", at + ".avg_pool", [ZeroPad(x, at + ".pad", 1)], Pool([3, 3], [1, 1], [0, 0], null, ceil: false)),
                InceptionPool.Max3x3Stride2 => Node("MaxPool", at + ".max_pool", [x], Pool([3, 3], [2, 2], [0, 0], null, ceil: false)),
                _ => x,
            };
            var y = Sequence(b.Sequence.Select(c => ($"{path}.{c.Name}", c.Module)), input);
            if (b.Split.Count == 0) outputs.Add(y);
            else outputs.AddRange(b.Split.Select(c => Sequence([($"{path}.{c.Name}", c.Module)], y)));
        }
        return Node("Concat", path, outputs, Int("axis", 1));
    }

    /// <summary>
    /// x with <paramref name="p"/> zeros on each side of H and W. Zeros then an unpadded AveragePool is average pooling
    /// with count_include_pad, which OpenCV DNN 4.13 ignores on a padded AveragePool (it divides by the valid count).
    /// </summary>
    private string ZeroPad(string x, string path, long p) =>
        Node("Pad", path, [x, Int64s(path + ".pads", [0, 0, p, p, 0, 0, p, p])]);

    /// <summary>An imported ONNX CNN: its nodes again, under a prefix, with the weights it has now.</summary>
    private string ImportedGraph(OnnxGraphModule module, string path, string x)
    {
        var graph = module.Graph;
        var weights = module.Weights.ToDictionary(w => w.Initializer, StringComparer.Ordinal);
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal) { [graph.Input] = x };
        string Name(string name)
        {
            if (name.Length == 0) return "";
            if (renamed.TryGetValue(name, out var n)) return n;
            if (weights.TryGetValue(name, out var w))
                return renamed[name] = Initializer($"{path}.{name}", w.Transpose ? w.Target.detach().t() : w.Target.detach());
            if (graph.Initializers.ContainsKey(name))
                throw new OnnxExportException($"{path}: the imported graph's constant '{name}' is not one of its trainable weights; it cannot be exported.");
            return renamed[name] = Unique($"{path}.{name}");
        }
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            var n = graph.Nodes[i];
            // The importer makes a last AveragePool global (any input size); so does the export.
            bool global = n.Op == "AveragePool" && n.Outputs.Contains(graph.Output);
            var node = new NodeProto { OpType = global ? "GlobalAveragePool" : n.Op == "Dropout" ? "Identity" : n.Op, Name = $"{path}.n{i}_{n.Op}" };
            node.Input.AddRange(global || n.Op == "Dropout" ? [Name(n.Inputs[0])] : n.Inputs.Select(Name));
            node.Output.AddRange(n.Op == "Dropout" ? [Name(n.Outputs[0])] : n.Outputs.Select(Name));
            if (!global && n.Op != "Dropout")
            {
                // Attributes of older opsets that opset 17 refuses (CNTK writes BatchNormalization 'spatial').
                foreach (var (k, v) in n.Ints.Where(a => !(n.Op == "BatchNormalization" && a.Key is "spatial" or "is_test" or "consumed_inputs")))
                    node.Attribute.Add(v.Length == 1 && !IsListAttribute(k) ? Int(k, v[0]) : Ints(k, v));
                foreach (var (k, v) in n.Floats) node.Attribute.Add(Float(k, v));
                foreach (var (k, v) in n.Strings) node.Attribute.Add(new AttributeProto { Name = k, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(v) });
            }
            _graph.Node.Add(node);
            _nodes++;
        }
        return Name(graph.Output);
    }

    // The importer stores every integer attribute as a list; these are lists in ONNX even with one element.
    private static bool IsListAttribute(string name) => name is "kernel_shape" or "strides" or "pads" or "dilations" or "perm" or "axes";

    // Attributes at their default value are left out: OpenCV DNN's importer refuses some of them (ceil_mode 0).
    private static AttributeProto[] Pool(long[] kernel, long[] stride, long[] pad, AttributeProto? extra, bool ceil) =>
    [
        Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", [pad[0], pad[1], pad[0], pad[1]]),
        .. extra is null ? Array.Empty<AttributeProto>() : [extra],
        .. ceil ? [Int("ceil_mode", 1)] : Array.Empty<AttributeProto>(),
    ];



    private string Unique(string name)
    {
        string n = name;
        for (int k = 2; !_names.Add(n); k++) n = $"{name}_{k}";
        return n;
    }

    /// <summary>Adds a node with one output, named after the module path; returns the output's name.</summary>
    public string Node(string op, string path, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"n{_nodes++}_{op}" };
        node.Input.AddRange(inputs);
        string output = Unique(path);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>A float32 initializer holding <paramref name="t"/>'s values (raw little-endian bytes, as exporters write them).</summary>
    public string Initializer(string name, Tensor t)
    {
        var values = t.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(t.shape);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
        proto.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>A float32 scalar initializer (rank 0).</summary>
    public string Scalar(string name, float value)
    {
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.FloatData.Add(value);
        _graph.Initializer.Add(proto);
        return proto.Name;
    }

    private string Int64s(string name, long[] values)
    {
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        _graph.Initializer.Add(proto);
        return proto.Name;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    private static AttributeProto Ints(string name, long[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };
    private static AttributeProto Float(string name, double value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };
}

using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// Turns a <see cref="ModelSpec"/> into a TorchSharp network for 1-channel (grey) input, tracking shapes so
/// that every mistake is reported with the layer's position, and counting parameters and multiply-adds.
/// </summary>
public static class ModelBuilder
{
    private static readonly HashSet<string> Types =
    [
        "conv2d", "separable_conv2d", "maxpool", "avgpool", "global_avg_pool", "flatten", "dense",
        "activation", "batchnorm", "dropout", "residual", "backbone", "onnx",
    ];

    /// <summary>The module name a backbone gets as a spec's first layer: its tensors are <c>0_backbone.</c> + torchvision's names.</summary>
    public const string BackboneModule = "0_backbone";

    // A spec (or a model file's metadata) is untrusted text: sizes are checked before each layer's weights are
    // allocated, so "units": 2000000000 is an error message, not a 100 GB allocation.
    internal const long MaxParameters = 200_000_000; // 800 MB of float weights; the largest backbone (vgg16) has 138 M
    internal const long MaxLayerOutput = 1L << 27;   // elements per image after one layer (512 MB of float activations)

    private sealed class Budget { public long Parameters; }

    /// <summary>Checks a spec without allocating weights; throws <see cref="ModelSpecException"/>.</summary>
    public static void Validate(ModelSpec spec, string origin = "spec") => Summarize(spec, 7, origin);

    /// <summary>Parameters and multiply-adds of a spec, built for the given number of classes.</summary>
    public static ModelSummary Summarize(ModelSpec spec, int classes, string origin = "spec")
    {
        using var _ = torch.NewDisposeScope();
        using var model = Build(spec, classes, out var summary, origin);
        return summary;
    }

    /// <summary>Builds the network (logits out, no softmax).</summary>
    public static nn.Module<Tensor, Tensor> Build(ModelSpec spec, int classes, out ModelSummary summary, string origin = "spec")
    {
        if (spec.InputSize < 8 || spec.InputSize > 512) throw new ModelSpecException($"{origin}: input_size {spec.InputSize} is outside 8..512.");
        if (classes < 2) throw new ModelSpecException($"{origin}: at least 2 classes are needed, got {classes}.");
        if (spec.Layers.Count == 0) throw new ModelSpecException($"{origin}: 'layers' is empty.");
        var costs = new List<LayerCost>();
        var shape = new Shape(1, spec.InputSize, spec.InputSize, Flat: false);
        var budget = new Budget();
        var body = BuildSequence(spec.Layers, ref shape, costs, $"{origin}: layer", "", spec.InputSize, budget);
        if (!shape.Flat)
        {
            if (shape.H * shape.W != 1) throw new ModelSpecException($"{origin}: the last layer's output is {shape}, not flat; end with 'flatten' or 'global_avg_pool'.");
            body.Add(("flatten_out", nn.Flatten()));
            shape = shape with { Flat = true };
        }
        Reserve(budget, (double)shape.Features * classes + classes, $"{origin}: the classifier ({shape.Features} inputs x {classes} classes)");
        body.Add(("classifier", nn.Linear(shape.Features, classes)));
        costs.Add(new LayerCost($"dense {classes} (classifier)", $"{classes}", shape.Features * classes + classes, shape.Features * classes));
        var model = nn.Sequential(body.ToArray());
        long parameters = model.parameters().Sum(p => p.numel());
        summary = new ModelSummary(spec.Name, spec.InputSize, classes, parameters, costs.Sum(c => c.MultiplyAdds), costs);
        return model;
    }

    private readonly record struct Shape(long C, long H, long W, bool Flat)
    {
        public long Features => Flat ? C : C * H * W;
        public override string ToString() => Flat ? $"{C}" : $"{C}x{H}x{W}";
    }

    private static void Reserve(Budget budget, double parameters, string at)
    {
        if (budget.Parameters + parameters > MaxParameters)
            throw new ModelSpecException($"{at}: the network would have {budget.Parameters + parameters:N0} parameters or more, over the {MaxParameters:N0} limit.");
        budget.Parameters += (long)parameters;
    }

    private static void CheckOutput(Shape shape, string at)
    {
        if ((double)shape.C * shape.H * shape.W > MaxLayerOutput)
            throw new ModelSpecException($"{at}: its output {shape} has {(double)shape.C * shape.H * shape.W:0} values per image, over the {MaxLayerOutput:N0} limit.");
    }

    private static List<(string, nn.Module<Tensor, Tensor>)> BuildSequence(List<LayerSpec> layers, ref Shape shape, List<LayerCost> costs, string where, string prefix, int inputSize, Budget budget)
    {
        var list = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            string at = $"{where} {prefix}{i + 1} ({(l.Type.Length == 0 ? "no type" : l.Type)})";
            string type = l.Type.Trim().ToLowerInvariant();
            if (!Types.Contains(type))
                throw new ModelSpecException($"{at}: unknown layer type '{l.Type}'. Known: {string.Join(", ", Types)}.");
            string name = $"{prefix.Replace('.', '_')}{i}_{type}";
            long paramsBefore = 0, macs = 0;
            switch (type)
            {
                case "conv2d":
                case "separable_conv2d":
                {
                    RequireSpatial(shape, at);
                    int filters = Require(l.Filters, "filters", at), k = l.Kernel ?? 3, stride = l.Stride ?? 1;
                    if (k < 1 || stride < 1) throw new ModelSpecException($"{at}: kernel and stride must be ≥ 1.");
                    int pad = Padding(l.Padding, k, at);
                    long h = Out(shape.H, k, stride, pad, at), w = Out(shape.W, k, stride, pad, at);
                    CheckOutput(new Shape(filters, h, w, false), at);
                    Reserve(budget, type == "conv2d" ? (double)filters * shape.C * k * k : (double)shape.C * k * k + (double)filters * shape.C, at);
                    if (type == "conv2d")
                    {
                        list.Add((name, nn.Conv2d(shape.C, filters, k, stride: stride, padding: pad, bias: l.BatchNorm != true)));
                        macs = h * w * filters * shape.C * k * k;
                        paramsBefore = filters * shape.C * k * k + (l.BatchNorm == true ? 0 : filters);
                    }
                    else
                    {
                        list.Add((name + "_dw", nn.Conv2d(shape.C, shape.C, k, stride: stride, padding: pad, groups: shape.C, bias: false)));
                        list.Add((name + "_pw", nn.Conv2d(shape.C, filters, 1, bias: l.BatchNorm != true)));
                        macs = h * w * shape.C * k * k + h * w * filters * shape.C;
                        paramsBefore = shape.C * k * k + filters * shape.C + (l.BatchNorm == true ? 0 : filters);
                    }
                    shape = new Shape(filters, h, w, false);
                    if (l.BatchNorm == true) { list.Add((name + "_bn", nn.BatchNorm2d(filters))); paramsBefore += 2 * filters; }
                    if (l.Activation is { } act) list.Add((name + "_act", Activation(act, l.Rate, at)));
                    break;
                }
                case "maxpool":
                case "avgpool":
                {
                    RequireSpatial(shape, at);
                    int k = l.Kernel ?? 2, stride = l.Stride ?? k, pad = l.Padding is null ? 0 : Padding(l.Padding, k, at);
                    long h = Out(shape.H, k, stride, pad, at), w = Out(shape.W, k, stride, pad, at);
                    CheckOutput(shape with { H = h, W = w }, at);
                    list.Add((name, type == "maxpool"
                        ? nn.MaxPool2d(k, stride, pad)
                        : nn.AvgPool2d(k, stride, pad, count_include_pad: false)));
                    shape = shape with { H = h, W = w };
                    break;
                }
                case "global_avg_pool":
                    RequireSpatial(shape, at);
                    list.Add((name, nn.AdaptiveAvgPool2d(1)));
                    list.Add((name + "_flat", nn.Flatten()));
                    shape = new Shape(shape.C, 1, 1, true);
                    break;
                case "flatten":
                    if (!shape.Flat) { list.Add((name, nn.Flatten())); shape = new Shape(shape.Features, 1, 1, true); }
                    break;
                case "dense":
                {
                    if (!shape.Flat) throw new ModelSpecException($"{at}: needs flat input but gets {shape}; add 'flatten' or 'global_avg_pool' before it.");
                    int units = Require(l.Units, "units", at);
                    Reserve(budget, (double)shape.C * units + units, at);
                    list.Add((name, nn.Linear(shape.C, units, hasBias: l.BatchNorm != true)));
                    macs = shape.C * units;
                    paramsBefore = shape.C * units + (l.BatchNorm == true ? 0 : units);
                    shape = new Shape(units, 1, 1, true);
                    if (l.BatchNorm == true) { list.Add((name + "_bn", nn.BatchNorm1d(units))); paramsBefore += 2 * units; }
                    if (l.Activation is { } act) list.Add((name + "_act", Activation(act, l.Rate, at)));
                    break;
                }
                case "activation":
                    list.Add((name, Activation(l.Activation ?? throw new ModelSpecException($"{at}: 'activation' is required (e.g. \"relu\")."), l.Rate, at)));
                    break;
                case "batchnorm":
                    list.Add((name, shape.Flat ? nn.BatchNorm1d(shape.C) : nn.BatchNorm2d(shape.C)));
                    paramsBefore = 2 * shape.C;
                    break;
                case "dropout":
                {
                    double rate = l.Rate ?? 0.5;
                    if (rate is < 0 or >= 1) throw new ModelSpecException($"{at}: rate {rate} must be in [0, 1).");
                    list.Add((name, shape.Flat ? nn.Dropout(rate) : nn.Dropout2d(rate)));
                    break;
                }
                case "residual":
                {
                    RequireSpatial(shape, at);
                    if (l.Layers is not { Count: > 0 }) throw new ModelSpecException($"{at}: 'layers' (the main branch) is required.");
                    var inShape = shape;
                    var branchCosts = new List<LayerCost>();
                    var main = nn.Sequential(BuildSequence(l.Layers, ref shape, branchCosts, where, $"{prefix}{i + 1}.", inputSize, budget).ToArray());
                    if (shape.Flat) throw new ModelSpecException($"{at}: the main branch must stay spatial.");
                    nn.Module<Tensor, Tensor> shortcut;
                    if (shape.C == inShape.C && shape.H == inShape.H && shape.W == inShape.W && l.ShortcutStride is null)
                        shortcut = nn.Identity();
                    else
                    {
                        int s = l.ShortcutStride ?? (int)Math.Max(1, inShape.H / shape.H);
                        if ((inShape.H + s - 1) / s != shape.H || (inShape.W + s - 1) / s != shape.W)
                            throw new ModelSpecException($"{at}: the main branch maps {inShape} to {shape}; a stride-{s} shortcut cannot match it.");
                        Reserve(budget, (double)shape.C * inShape.C, at);
                        // A strided 1x1 convolution, written as subsample + 1x1 so the block can train channels-last
                        // (same function and parameters; see Subsample).
                        shortcut = s == 1
                            ? nn.Sequential(("conv", nn.Conv2d(inShape.C, shape.C, 1, bias: false)), ("bn", nn.BatchNorm2d(shape.C)))
                            : nn.Sequential(("subsample", new Subsample(s)), ("conv", nn.Conv2d(inShape.C, shape.C, 1, bias: false)), ("bn", nn.BatchNorm2d(shape.C)));
                        macs += shape.H * shape.W * shape.C * inShape.C;
                        paramsBefore += shape.C * inShape.C + 2 * shape.C;
                    }
                    list.Add((name, new ResidualBlock(name, main, shortcut)));
                    costs.AddRange(branchCosts);
                    break;
                }
                case "backbone":
                {
                    // It takes the raw grey input (and replicates it to RGB itself), so nothing may come before it.
                    if (i != 0 || prefix.Length > 0) throw new ModelSpecException($"{at}: a backbone must be the spec's first layer.");
                    string arch = l.Name?.Trim() ?? "";
                    var a = Backbones.Find(arch) ?? throw new ModelSpecException($"{at}: unknown backbone '{l.Name}'. Known: {string.Join(", ", Backbones.Names)}.");
                    if (inputSize < a.MinInputSize || inputSize > Backbones.MaxInputSize)
                        throw new ModelSpecException(inputSize < a.MinInputSize && a.MinInputSize > Backbones.MinInputSize
                            ? $"{at}: {a.Name} needs an input of at least {a.MinInputSize}x{a.MinInputSize} (its stem and reductions leave nothing of a smaller face), got {inputSize}x{inputSize}; use --image-size {a.MinInputSize} or more."
                            : $"{at}: {a.Name} takes inputs of {a.MinInputSize}..{Backbones.MaxInputSize} pixels, got {inputSize}x{inputSize}.");
                    var trunk = Backbones.CreateTrunk(a);
                    var (c, h, w, m) = Backbones.Measure(a, trunk, inputSize);
                    list.Add((BackboneModule, trunk));
                    paramsBefore = trunk.parameters().Sum(p => p.numel());
                    Reserve(budget, paramsBefore, at);
                    macs = m;
                    shape = new Shape(c, h, w, false);
                    break;
                }
                case "onnx":
                {
                    if (i != 0 || prefix.Length > 0) throw new ModelSpecException($"{at}: an imported ONNX graph must be the spec's first layer.");
                    var graph = l.Graph ?? throw new ModelSpecException($"{at}: an 'onnx' layer needs its 'graph'; Mien writes it from an .onnx file (--model file.onnx, or {Onnx.OnnxBackbones.CntkResNet18}).");
                    if (inputSize < Backbones.MinInputSize || inputSize > Backbones.MaxInputSize)
                        throw new ModelSpecException($"{at}: an imported backbone takes inputs of {Backbones.MinInputSize}..{Backbones.MaxInputSize} pixels, got {inputSize}x{inputSize}.");
                    var trunk = Onnx.OnnxBackbones.CreateTrunk(graph, at);
                    (long c, long h, long w, long m) measured;
                    try { measured = Backbones.MeasureTrunk(trunk, inputSize); }
                    catch (ExternalException e) { throw new ModelSpecException($"{at}: the graph does not run on a {inputSize}x{inputSize} face: {e.Message.Split('\n')[0]}"); }
                    list.Add((BackboneModule, trunk));
                    paramsBefore = trunk.parameters().Sum(p => p.numel());
                    macs = measured.m;
                    shape = new Shape(measured.c, measured.h, measured.w, false);
                    break;
                }
            }
            costs.Add(new LayerCost(Describe(l, type), shape.ToString(), paramsBefore, macs));
        }
        return list;
    }

    private static string Describe(LayerSpec l, string type) => type switch
    {
        "conv2d" or "separable_conv2d" => $"{type} {l.Filters} {l.Kernel ?? 3}x{l.Kernel ?? 3}/{l.Stride ?? 1}{(l.BatchNorm == true ? " +bn" : "")}{(l.Activation is null ? "" : " +" + l.Activation)}",
        "dense" => $"dense {l.Units}{(l.Activation is null ? "" : " +" + l.Activation)}",
        "maxpool" or "avgpool" => $"{type} {l.Kernel ?? 2}",
        "dropout" => $"dropout {l.Rate ?? 0.5}",
        "activation" => l.Activation ?? type,
        "residual" => "residual (sum)",
        "backbone" => $"backbone {l.Name?.Trim()} (torchvision)",
        "onnx" => $"onnx {l.Name?.Trim()} ({l.Graph?.Nodes.Count ?? 0} nodes)",
        _ => type,
    };

    private static nn.Module<Tensor, Tensor> Activation(string name, double? rate, string at) => name.Trim().ToLowerInvariant() switch
    {
        "relu" => nn.ReLU(inplace: true),
        "leaky_relu" or "leakyrelu" => nn.LeakyReLU(rate ?? 0.01, inplace: true),
        "elu" => nn.ELU(inplace: true),
        "gelu" => nn.GELU(),
        "selu" => nn.SELU(inplace: true),
        "silu" or "swish" => nn.SiLU(),
        "tanh" => nn.Tanh(),
        "sigmoid" => nn.Sigmoid(),
        _ => throw new ModelSpecException($"{at}: unknown activation '{name}'. Known: relu, leaky_relu, elu, gelu, selu, silu, tanh, sigmoid."),
    };

    private static int Require(int? value, string field, string at) =>
        value is > 0 ? value.Value : throw new ModelSpecException($"{at}: '{field}' is required and must be a positive number.");

    private static void RequireSpatial(Shape s, string at)
    {
        if (s.Flat) throw new ModelSpecException($"{at}: needs a spatial (image) input but the input is already flat ({s}).");
    }

    private static int Padding(string? padding, int k, string at) => padding?.Trim().ToLowerInvariant() switch
    {
        null or "same" => k / 2,
        "valid" => 0,
        var p when int.TryParse(p, out int n) && n >= 0 => n,
        var p => throw new ModelSpecException($"{at}: padding '{p}' must be \"same\", \"valid\" or a number."),
    };

    private static long Out(long size, int k, int stride, int pad, string at)
    {
        long o = (size + 2L * pad - k) / stride + 1;
        if (size + 2L * pad < k || o < 1) throw new ModelSpecException($"{at}: a {k}x{k} window does not fit the {size}x{size} input.");
        return o;
    }
}

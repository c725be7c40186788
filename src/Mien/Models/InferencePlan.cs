using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// A trained network rewritten for prediction. Same function, less work:
/// <list type="bullet">
/// <item>batch norm folded into the convolution or dense layer before it, dropout removed;</item>
/// <item>ReLU after max-pooling instead of before (max and ReLU commute; a quarter of the elements);</item>
/// <item>activations kept channels-last (NHWC strides): LibTorch's NCHW max-pool is ~10x slower on 48x48 maps,
///   and oneDNN's convolutions prefer NHWC;</item>
/// <item>optionally bfloat16 weights and activations, logits back in float32.</item>
/// </list>
/// A snapshot of the weights when it is built; it never changes them. Thread-safe: it only reads its tensors.
/// </summary>
internal sealed class InferencePlan : IDisposable
{
    private readonly Func<Tensor, Tensor>[] _steps;
    private readonly List<Tensor> _owned = [];
    // Held for the plan's lifetime: an implicit alpha = 1 Scalar per add could be finalized mid-call (see BatchNormFolding).
    private readonly Scalar _one = 1.0.ToScalar();
    private readonly ScalarType _dtype;

    private InferencePlan(nn.Module network, InferencePrecision precision)
    {
        Precision = precision;
        _dtype = precision == InferencePrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _steps = Compile([network]).ToArray();
        foreach (var t in _owned) t.DetachFromDisposeScope();
    }

    /// <summary>Float32 or BFloat16 (never Auto).</summary>
    public InferencePrecision Precision { get; }

    /// <summary>
    /// Compiles a network in evaluation mode. Throws <see cref="NotSupportedException"/> for a layer it does not
    /// know (the caller then runs the network as it is).
    /// </summary>
    public static InferencePlan Build(nn.Module network, InferencePrecision precision)
    {
        if (precision == InferencePrecision.Auto) throw new ArgumentException("Resolve Auto before building a plan.", nameof(precision));
        if (network.training) throw new InvalidOperationException("Call eval() on the network before building an inference plan.");
        return new InferencePlan(network, precision);
    }

    /// <summary>Logits (float32) for a float32 NCHW batch.</summary>
    public Tensor Forward(Tensor input)
    {
        var t = input.to(_dtype);
        t = MemoryLayout.GreyAsChannelsLast(t); // so the first convolution already answers channels-last
        var logits = Run(_steps, t, input);
        var result = logits.to(ScalarType.Float32);
        FreeUnless(logits, input, result);
        return result;
    }

    private static List<nn.Module> Flatten(IEnumerable<nn.Module> modules) =>
        modules.SelectMany(m => m is Sequential s ? Flatten(s.named_children().Select(c => c.module)) : [m]).ToList();

    private List<Func<Tensor, Tensor>> Compile(IEnumerable<nn.Module> modules)
    {
        var mods = Flatten(modules);
        var steps = new List<Func<Tensor, Tensor>>();
        for (int i = 0; i < mods.Count; i++)
        {
            var m = mods[i];
            var next = i + 1 < mods.Count ? mods[i + 1] : null;
            switch (m)
            {
                case Dropout or Dropout2d or Identity:
                    break;
                case Conv2d c:
                {
                    if (c.transposed || c.padding_mode != PaddingModes.Zeros || c.padding is null)
                        throw new NotSupportedException("Only zero-padded, non-transposed convolutions are compiled.");
                    var (w, b) = (c.weight!.detach().clone(), c.bias?.detach().clone() ?? torch.zeros(c.out_channels));
                    if (next is BatchNorm2d bn) { (w, b) = BatchNormFolding.Fold(w, b, bn); i++; }
                    w = Keep(MemoryLayout.ChannelsLast(w.to(_dtype)));
                    b = Keep(b.to(_dtype));
                    long[] stride = c.stride, padding = c.padding, dilation = c.dilation;
                    long groups = c.groups;
                    steps.Add(t => MemoryLayout.ChannelsLast(nn.functional.conv2d(t, w, b, stride, padding, dilation, groups)));
                    break;
                }
                case Linear l:
                {
                    var (w, b) = (l.weight!.detach().clone(), l.bias?.detach().clone() ?? torch.zeros(l.out_features));
                    if (next is BatchNorm1d bn) { (w, b) = BatchNormFolding.Fold(w, b, bn); i++; }
                    w = Keep(w.to(_dtype));
                    b = Keep(b.to(_dtype));
                    steps.Add(t => nn.functional.linear(t, w, b));
                    break;
                }
                case BatchNorm bn:
                {
                    // A batch norm on its own is an affine map per channel.
                    var (scale, shift) = BatchNormFolding.Affine(bn);
                    long[] shape = bn is BatchNorm1d ? [1, -1] : [1, -1, 1, 1];
                    scale = Keep(scale.to(_dtype).reshape(shape));
                    shift = Keep(shift.to(_dtype).reshape(shape));
                    steps.Add(t => t.mul(scale).add(shift, _one));
                    break;
                }
                case ReLU or LeakyReLU when next is MaxPool2d pool:
                {
                    // relu(maxpool(x)) == maxpool(relu(x)) for any non-decreasing activation.
                    var act = (nn.Module<Tensor, Tensor>)m;
                    steps.Add(t =>
                    {
                        using var pooled = pool.forward(t);
                        return act.forward(pooled);
                    });
                    i++;
                    break;
                }
                case ResidualBlock r:
                {
                    var main = Compile([r.Main]);
                    var shortcut = Compile([r.Shortcut]);
                    steps.Add(t => Sum(Run(main, t), Run(shortcut, t), t));
                    break;
                }
                case ReLU6 r when Backbones.ComputesReLU(r):
                    // MobileNetV3's squeeze-excitation ReLU6, hooked to compute torchvision's ReLU (calling forward skips hooks).
                    steps.Add(t => nn.functional.relu(t));
                    break;
                case torchvision.SqueezeExcitation se:
                    steps.Add(SqueezeExcitation(se));
                    break;
                case ReLU or ReLU6 or LeakyReLU or ELU or GELU or SELU or SiLU or Tanh or Sigmoid or Hardtanh or Hardswish or Hardsigmoid
                    or MaxPool2d or AvgPool2d or AdaptiveAvgPool2d or TorchSharp.Modules.Flatten or Subsample or GreyToRgb:
                {
                    var layer = (nn.Module<Tensor, Tensor>)m;
                    steps.Add(layer.forward);
                    break;
                }
                case Onnx.OnnxGraphModule g:
                    steps.Add(g.Compile(_dtype, Keep));
                    break;
                default:
                    steps.Add(TorchvisionBlock(m));
                    break;
            }
        }
        return steps;
    }

    /// <summary>The residual units of torchvision's trunks, compiled from their children as the ONNX exporter writes them.</summary>
    private Func<Tensor, Tensor> TorchvisionBlock(nn.Module m)
    {
        if (InceptionBlock.Describe(m, message => new NotSupportedException(message)) is { } branches) return Inception(branches);
        var block = Models.TorchvisionBlock.Describe(m, message => new NotSupportedException(message))
            ?? throw new NotSupportedException($"Layer type {m.GetType().Name} is not compiled.");
        var main = Compile(block.Main.Select(c => c.Module));
        if (!block.Residual) return t => Run(main, t);
        var downsample = block.Downsample is { } d ? Compile([d.Module]) : null;
        bool relu = block.ReluAfterSum;
        return t =>
        {
            var sum = Sum(Run(main, t), downsample is null ? t : Run(downsample, t), t);
            if (!relu) return sum;
            using (sum) return nn.functional.relu(sum);
        };
    }

    /// <summary>
    /// torchvision's squeeze-excitation: x * scale_activation(fc2(activation(fc1(avgpool(x))))), the 1x1 convolutions
    /// compiled like any other (they have no batch norm to fold).
    /// </summary>
    private Func<Tensor, Tensor> SqueezeExcitation(torchvision.SqueezeExcitation se)
    {
        var scale = Compile(SqueezeExcitationBlock.ScalePath(se, message => new NotSupportedException(message)).Select(c => c.Module));
        return t =>
        {
            using var s = Run(scale, t);
            return t.mul(s);
        };
    }

    private static readonly long[] Zero = [0, 0], One = [1, 1], Two = [2, 2], Three = [3, 3];

    /// <summary>torchvision's Inception blocks: the branches' outputs concatenated along channels (one cat, InceptionE's pairs included).</summary>
    private Func<Tensor, Tensor> Inception(IReadOnlyList<InceptionBranch> branches)
    {
        var compiled = branches.Select(b => (b.Pool, Sequence: Compile(b.Sequence.Select(c => c.Module)),
            Split: b.Split.Select(c => Compile([c.Module])).ToArray())).ToArray();
        return t =>
        {
            var outputs = new List<Tensor>(compiled.Length + 2);
            foreach (var (pool, sequence, split) in compiled)
            {
                var x = pool switch
                {
                    InceptionPool.Average3x3Same => nn.functional.avg_pool2d(t, Three, One, One, ceil_mode: false, count_include_pad: true),
                    InceptionPool.Max3x3Stride2 => nn.functional.max_pool2d(t, Three, Two, Zero, ceil_mode: false),
                    _ => t,
                };
                var y = Run(sequence, x, keep: t); // frees a pooled x, never the block's input
                if (split.Length == 0) outputs.Add(y);
                else
                {
                    foreach (var s in split) outputs.Add(Run(s, y, keep: y)); // InceptionE: both halves read y
                    FreeUnless(y, t);
                }
            }
            var joined = torch.cat(outputs, 1);
            foreach (var o in outputs) FreeUnless(o, t);
            var result = MemoryLayout.ChannelsLast(joined);
            FreeUnless(joined, result);
            return result;
        };
    }

    // Each intermediate is freed as soon as the next step has read it, as PyTorch's reference counting does, so
    // LibTorch's allocator hands the next layer the same cache-warm block instead of a new one per layer (a caller's
    // dispose scope would otherwise keep every activation of the forward pass alive until it ends).
    // `keep` (the block's input, which its caller still owns or needs) is never freed here.
    private static Tensor Run(IReadOnlyList<Func<Tensor, Tensor>> steps, Tensor t, Tensor? keep = null)
    {
        keep ??= t;
        foreach (var step in steps)
        {
            var next = step(t);
            FreeUnless(t, keep, next);
            t = next;
        }
        return t;
    }

    // Frees an intermediate unless it is (the same handle as) a tensor still in use: a step may return its input.
    private static void FreeUnless(Tensor t, Tensor? inUse, Tensor? alsoInUse = null)
    {
        if (!ReferenceEquals(t, inUse) && !ReferenceEquals(t, alsoInUse)) t.Dispose();
    }

    // main + shortcut of a residual unit, freeing both branch outputs (never the unit's input, which the caller frees).
    private Tensor Sum(Tensor main, Tensor shortcut, Tensor input)
    {
        var sum = main.add(shortcut, _one);
        FreeUnless(main, input);
        FreeUnless(shortcut, input);
        return sum;
    }

    private Tensor Keep(Tensor t)
    {
        _owned.Add(t);
        return t;
    }

    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
        _one.Dispose();
    }
}

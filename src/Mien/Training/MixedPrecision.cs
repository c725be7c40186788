using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mien.Training;

/// <summary>
/// bfloat16 training with float32 master weights (<see cref="TrainingPrecision.BFloat16"/>). During an epoch's batches
/// each convolution and dense layer holds a bfloat16 copy of its weights; after each backward the copies' gradients,
/// cast to float32, become the master weights' gradients, the optimizer updates the masters, and the copies are
/// refreshed from them. The copies live only in the fields forward reads: the network's registered parameters (what the
/// optimizer, named_parameters and state_dict see) are the masters throughout, and between batches (validation,
/// callbacks, checkpoints, saving) forward computes with the masters again. Batch norm keeps float32 weights and
/// statistics and takes the bfloat16 activations as they are (LibTorch's CPU kernels accept the mix).
/// </summary>
internal sealed class MixedPrecision : IDisposable
{
    // The layers' own fields, set directly: the public weight/bias setters dispose the parameter they replace (the
    // master), and the registered parameters (what the optimizer, state_dict and named_parameters see) must stay the
    // masters anyway; only forward reads these fields. Guarded by MixedPrecisionTests.
    private static readonly FieldInfo? ConvWeight = Field(typeof(Convolution), "_weight"), ConvBias = Field(typeof(Convolution), "_bias"),
        LinearWeight = Field(typeof(Linear), "_weight"), LinearBias = Field(typeof(Linear), "_bias");

    private static FieldInfo? Field(Type t, string name) => t.GetField(name, BindingFlags.NonPublic | BindingFlags.Instance);

    private sealed class Slot(nn.Module layer, FieldInfo field, Parameter master)
    {
        public Parameter Master { get; } = master;
        public Parameter? Half { get; set; }
        public void Put(Parameter p) => field.SetValue(layer, p);
    }

    private readonly List<Slot> _slots = [];
    private bool _inside;

    /// <summary>Takes the network's convolutions and dense layers; throws when another layer type has weights (it would see bfloat16 inputs it cannot take).</summary>
    public MixedPrecision(nn.Module network)
    {
        if (ConvWeight is null || ConvBias is null || LinearWeight is null || LinearBias is null)
            throw new NotSupportedException($"bf16 training needs the layer fields of TorchSharp 0.107 (Convolution._weight, Linear._weight); TorchSharp {typeof(Linear).Assembly.GetName().Version} lacks them. Train in fp32.");
        foreach (var (name, module) in network.named_modules())
        {
            switch (module)
            {
                case Convolution c:
                    _slots.Add(new Slot(c, ConvWeight, c.weight!));
                    if (c.bias is { } cb) _slots.Add(new Slot(c, ConvBias, cb));
                    break;
                case Linear l:
                    _slots.Add(new Slot(l, LinearWeight, l.weight!));
                    if (l.bias is { } lb) _slots.Add(new Slot(l, LinearBias, lb));
                    break;
                case BatchNorm:
                    break;
                default:
                    if (module.named_parameters(recurse: false).Any())
                        throw new ArgumentException($"bf16 training handles convolution, dense and batch-norm layers; layer '{name}' ({module.GetType().Name}) has weights of its own. Train this network in fp32.");
                    break;
            }
        }
    }

    /// <summary>Before an epoch's first batch: the layers get bfloat16 copies of the current master weights (and their requires_grad).</summary>
    public void Enter()
    {
        if (_inside) return;
        using var noGrad = torch.no_grad();
        foreach (var s in _slots)
        {
            s.Half = new Parameter(s.Master.detach().to(ScalarType.BFloat16).DetachFromDisposeScope(), s.Master.requires_grad);
            s.Put(s.Half);
        }
        _inside = true;
    }

    /// <summary>The input of the network in the layers' number format.</summary>
    public static Tensor Input(Tensor x) => x.to(ScalarType.BFloat16);

    /// <summary>After backward: the copies' gradients, as float32, become the masters' (the copies' are cleared).</summary>
    public void GradientsToMasters()
    {
        foreach (var s in _slots)
        {
            using var g = s.Half!.grad;
            if (g is null) continue;
            s.Master.grad = g.to(ScalarType.Float32);
            g.zero_();
        }
    }

    /// <summary>After the optimizer's step: the copies take the updated masters.</summary>
    public void MastersToCopies()
    {
        using var noGrad = torch.no_grad();
        foreach (var s in _slots) s.Half!.copy_(s.Master);
    }

    /// <summary>After an epoch's last batch (or a cancellation): the layers hold the float32 masters again.</summary>
    public void Exit()
    {
        if (!_inside) return;
        foreach (var s in _slots)
        {
            s.Put(s.Master);
            s.Half?.Dispose();
            s.Half = null;
        }
        _inside = false;
    }

    /// <inheritdoc />
    public void Dispose() => Exit();
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// Batch norm in evaluation mode is an affine map per channel; folded into the convolution or dense layer before it,
/// it costs nothing. One implementation for the compiled inference plan and the ONNX exporter, so both compute the
/// same function.
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>bn(x) = scale * x + shift, per channel.</summary>
    /// <remarks>
    /// No <c>running_var + eps</c> here: TorchSharp turns a double operand (and the implicit alpha = 1 of every add)
    /// into a temporary native Scalar that nothing keeps alive during the native call, so a garbage collection at
    /// that moment can finalize it mid-call. The ONNX export of resnet50 (53 batch norms, under parallel tests)
    /// failed once that way, LibTorch reading a freed Scalar ("toFloat"); TorchSharp's open PRs #1434 / #1496 are about
    /// these implicit Scalars. Explicit Scalars held by <c>using</c> and
    /// temporaries held by a dispose scope stay reachable until the results exist.
    /// </remarks>
    public static (Tensor Scale, Tensor Shift) Affine(BatchNorm bn)
    {
        using var scope = torch.NewDisposeScope();
        using var eps = bn.eps.ToScalar();
        using var one = 1.0.ToScalar();
        var scale = torch.rsqrt(bn.running_var!.detach().add(eps, one));
        if (bn.weight is { } gamma) scale = scale.mul(gamma.detach());
        var shift = bn.running_mean!.detach().neg().mul(scale);
        if (bn.bias is { } beta) shift = shift.add(beta.detach(), one);
        return (scale.MoveToOuterDisposeScope(), shift.MoveToOuterDisposeScope());
    }

    /// <summary>y = bn(W x + b) rewritten as W' x + b'.</summary>
    public static (Tensor W, Tensor B) Fold(Tensor w, Tensor b, BatchNorm bn)
    {
        using var scope = torch.NewDisposeScope();
        using var one = 1.0.ToScalar();
        var (scale, shift) = Affine(bn);
        var shape = new long[w.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        var folded = w.mul(scale.reshape(shape));
        var bias = b.mul(scale).add(shift, one);
        return (folded.MoveToOuterDisposeScope(), bias.MoveToOuterDisposeScope());
    }
}

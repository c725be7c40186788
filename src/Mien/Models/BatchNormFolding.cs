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
    public static (Tensor Scale, Tensor Shift) Affine(BatchNorm bn)
    {
        var scale = torch.rsqrt(bn.running_var! + bn.eps);
        if (bn.weight is { } gamma) scale *= gamma.detach();
        var shift = -bn.running_mean! * scale;
        if (bn.bias is { } beta) shift += beta.detach();
        return (scale, shift);
    }

    /// <summary>y = bn(W x + b) rewritten as W' x + b'.</summary>
    public static (Tensor W, Tensor B) Fold(Tensor w, Tensor b, BatchNorm bn)
    {
        var (scale, shift) = Affine(bn);
        var shape = new long[w.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return (w * scale.reshape(shape), b * scale + shift);
    }
}

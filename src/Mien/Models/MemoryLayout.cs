using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// Channels-last (NHWC strides behind NCHW shapes) without a memory-format API, which TorchSharp 0.107 lacks.
/// LibTorch keeps a convolution's output in its input's layout, so a channels-last input makes the whole network
/// run channels-last: oneDNN's preferred layout, and LibTorch's NHWC max-pool is ~10x faster than its NCHW one on
/// 48x48 maps. Values and shapes never change, only strides.
/// </summary>
public static class MemoryLayout
{
    /// <summary>A contiguous one-channel batch viewed with NHWC strides: the same bytes, no copy.</summary>
    public static Tensor GreyAsChannelsLast(Tensor t) =>
        t.dim() == 4 && t.shape[1] == 1 && t.is_contiguous() ? t.reshape(t.shape[0], t.shape[2], t.shape[3], 1).permute(0, 3, 1, 2) : t;

    /// <summary>
    /// Whether a network can be trained channels-last. LibTorch 2.10 crashes (SIGSEGV) in the backward pass of a
    /// 1x1 convolution with stride > 1 on channels-last input; such networks train NCHW (residual shortcuts avoid it, see Subsample).
    /// Forward passes are unaffected.
    /// </summary>
    public static bool CanTrainChannelsLast(nn.Module network) =>
        !network.modules().OfType<Conv2d>().Any(c => c.kernel_size.All(k => k == 1) && c.stride.Any(s => s > 1));

    /// <summary>A copy with NHWC strides, unless it already has them (or has one channel).</summary>
    public static Tensor ChannelsLast(Tensor t) =>
        t.dim() == 4 && t.shape[1] > 1 && t.stride(1) != 1 ? t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : t;
}

using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// Keeps every <c>stride</c>-th row and column. Subsample + 1x1 convolution computes exactly a strided 1x1
/// convolution, and unlike it can be trained channels-last: LibTorch 2.10 crashes in the channels-last backward
/// of a strided 1x1 convolution (see <see cref="MemoryLayout.CanTrainChannelsLast"/>).
/// </summary>
internal sealed class Subsample : nn.Module<Tensor, Tensor>
{
    private readonly long _stride;

    public Subsample(long stride) : base($"subsample{stride}") => _stride = stride;

    internal long Stride => _stride;

    public override Tensor forward(Tensor x) =>
        x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, _stride), TensorIndex.Slice(null, null, _stride)];
}

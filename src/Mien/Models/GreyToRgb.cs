using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// Repeats a one-channel (grey) batch into three identical channels, the input ImageNet backbones were built and
/// pretrained for. Inside the network, so everything upstream keeps feeding 1-channel NCHW tensors and a saved model
/// stays self-describing. Keeps the input's layout: a channels-last grey batch (<see cref="MemoryLayout.GreyAsChannelsLast"/>)
/// gives a channels-last RGB batch, so the whole backbone runs channels-last.
/// </summary>
internal sealed class GreyToRgb : nn.Module<Tensor, Tensor>
{
    public GreyToRgb() : base("grey_to_rgb") { }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != 1) throw new ArgumentException($"A backbone takes grey N x 1 x H x W batches, got [{string.Join(", ", x.shape)}].");
        var rgb = x.expand(-1, 3, -1, -1);
        bool channelsLast = x.stride(1) == 1 && x.shape[2] * x.shape[3] > 1;
        return channelsLast ? MemoryLayout.ChannelsLast(rgb) : rgb.contiguous();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// One TorchVision architecture usable as a backbone: which of the children its own builder makes form the
/// feature trunk (kept, under torchvision's names, so PyTorch state dicts load by name), which state-dict prefixes
/// are its classifier (dropped: Mien puts a new head with one output per emotion class), and how inputs were
/// normalised for its ImageNet weights.
/// </summary>
internal sealed record BackboneArchitecture
{
    /// <summary>torchvision's name, e.g. <c>resnet18</c>.</summary>
    public required string Name { get; init; }
    public required string Description { get; init; }

    /// <summary>Smallest input side the trunk accepts (its stride-2 stages must leave at least one pixel).</summary>
    public int MinInputSize { get; init; } = Backbones.MinInputSize;

    /// <summary>Dropout torchvision puts before its final linear layer; the preset's head keeps it.</summary>
    public double HeadDropout { get; init; }

    /// <summary>
    /// Grey normalisation matching the ImageNet weights: x = (p/255 - mean)/std. torchvision normalises RGB with
    /// mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225); for three equal grey channels their averages are
    /// the closest single pair. Inception v3's original weights take inputs in [-1, 1] (torchvision's
    /// <c>transform_input</c>), i.e. mean 0.5, std 0.5.
    /// </summary>
    public float PretrainedMean { get; init; } = 0.449f;
    public float PretrainedStd { get; init; } = 0.226f;

    /// <summary>The children of torchvision's model that form the trunk, in forward order.</summary>
    public required IReadOnlyList<string> Trunk { get; init; }

    /// <summary>State-dict prefixes of torchvision's classifier (and Inception's auxiliary classifier): not loaded.</summary>
    public required IReadOnlyList<string> HeadPrefixes { get; init; }

    /// <summary>TorchVision's builder (random initialisation, 1000 ImageNet classes).</summary>
    public required Func<nn.Module<Tensor, Tensor>> Build { get; init; }

    /// <summary>Corrections applied to the built trunk where TorchSharp's port computes something else than torchvision.</summary>
    internal Action<nn.Module>? Fix { get; init; }
}

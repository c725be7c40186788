using System.Text.Json.Serialization;

namespace Mien.Models.Onnx;

/// <summary>
/// The topology of an imported ONNX CNN, without its weights: which operators run in which order on which named
/// tensors, and the shape of every initializer. It is stored in the model spec (layer type <c>onnx</c>), so a
/// trained .mien model rebuilds its network without the original .onnx file; the weights come from the .mien file
/// itself, or from the .onnx file once (<c>--weights</c>).
/// </summary>
public sealed record OnnxGraphSpec
{
    /// <summary>The graph input (N x C x H x W).</summary>
    [JsonPropertyName("input")] public string Input { get; init; } = "";

    /// <summary>The graph output used as the trunk's feature map.</summary>
    [JsonPropertyName("output")] public string Output { get; init; } = "";

    /// <summary>Channels the first convolution takes: 3 (grey is repeated into RGB) or 1.</summary>
    [JsonPropertyName("input_channels")] public int InputChannels { get; init; } = 3;

    /// <summary>The operators in execution (topological) order.</summary>
    [JsonPropertyName("nodes")] public List<OnnxNodeSpec> Nodes { get; init; } = [];

    /// <summary>Shape of each initializer the nodes read, by ONNX name.</summary>
    [JsonPropertyName("initializers")] public Dictionary<string, long[]> Initializers { get; init; } = [];

    /// <summary>Grey normalisation the weights were trained with, x = (p/255 - mean)/std; null: ImageNet's.</summary>
    [JsonPropertyName("mean")] public float? Mean { get; init; }

    /// <summary>See <see cref="Mean"/>.</summary>
    [JsonPropertyName("std")] public float? Std { get; init; }
}

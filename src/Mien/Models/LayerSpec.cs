using System.Text.Json.Serialization;

namespace Mien.Models;

/// <summary>
/// One layer of a declarative network spec (JSON). <see cref="Type"/> is one of: conv2d, separable_conv2d,
/// maxpool, avgpool, global_avg_pool, flatten, dense, activation, batchnorm, dropout, residual, backbone, onnx.
/// Only the fields that apply to the type are read.
/// </summary>
public sealed record LayerSpec
{
    /// <summary>conv2d, separable_conv2d, maxpool, avgpool, global_avg_pool, flatten, dense, dropout, batchnorm, activation or residual.</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "";

    /// <summary>backbone: the TorchVision architecture (see <see cref="Backbones"/>), e.g. "resnet18". Only as the first layer.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>conv2d / separable_conv2d: output channels.</summary>
    [JsonPropertyName("filters")] public int? Filters { get; init; }

    /// <summary>conv kernel side, or pool window side.</summary>
    [JsonPropertyName("kernel")] public int? Kernel { get; init; }

    /// <summary>Convolution or pooling stride.</summary>
    [JsonPropertyName("stride")] public int? Stride { get; init; }

    /// <summary>"same" (default for conv) or "valid", or a number.</summary>
    [JsonPropertyName("padding")] public string? Padding { get; init; }

    /// <summary>dense: output features.</summary>
    [JsonPropertyName("units")] public int? Units { get; init; }

    /// <summary>activation: relu, leaky_relu, elu, gelu, selu, silu, tanh, sigmoid. On conv2d/dense: applied after (and after batchnorm when set).</summary>
    [JsonPropertyName("activation")] public string? Activation { get; init; }

    /// <summary>conv2d / dense: insert batch norm before the activation.</summary>
    [JsonPropertyName("batchnorm")] public bool? BatchNorm { get; init; }

    /// <summary>dropout rate, or leaky_relu slope.</summary>
    [JsonPropertyName("rate")] public double? Rate { get; init; }

    /// <summary>residual: the main branch.</summary>
    [JsonPropertyName("layers")] public List<LayerSpec>? Layers { get; init; }

    /// <summary>onnx: the imported graph's topology (written by Mien from an .onnx file; see <see cref="Onnx.OnnxBackbones"/>).</summary>
    [JsonPropertyName("graph")] public Onnx.OnnxGraphSpec? Graph { get; init; }

    /// <summary>residual: a 1x1 conv (+BN) on the shortcut with this stride when shapes change.</summary>
    [JsonPropertyName("shortcut_stride")] public int? ShortcutStride { get; init; }
}

using System.Text.Json.Serialization;

namespace Mien.Models.Onnx;

/// <summary>One operator of an <see cref="OnnxGraphSpec"/>: its ONNX type, tensor names and numeric attributes.</summary>
public sealed record OnnxNodeSpec
{
    /// <summary>The ONNX operator, e.g. <c>Conv</c>.</summary>
    [JsonPropertyName("op")] public string Op { get; init; } = "";

    /// <summary>Input tensor names (graph tensors or initializers), in the operator's order; "" for an omitted optional one.</summary>
    [JsonPropertyName("inputs")] public List<string> Inputs { get; init; } = [];

    /// <summary>Output tensor names.</summary>
    [JsonPropertyName("outputs")] public List<string> Outputs { get; init; } = [];

    /// <summary>Integer and integer-list attributes (kernel_shape, strides, pads, group, axis, ...).</summary>
    [JsonPropertyName("ints")] public Dictionary<string, long[]> Ints { get; init; } = [];

    /// <summary>Float attributes (epsilon, alpha, ...).</summary>
    [JsonPropertyName("floats")] public Dictionary<string, float> Floats { get; init; } = [];

    /// <summary>String attributes (auto_pad).</summary>
    [JsonPropertyName("strings")] public Dictionary<string, string> Strings { get; init; } = [];
}

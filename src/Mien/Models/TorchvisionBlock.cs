using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// A residual unit of a torchvision trunk whose forward is code rather than a sequence of children, described as
/// data: the main path's children in forward's order (not their declaration order), the shortcut, and whether a
/// ReLU follows the sum. One description for the inference plan and the ONNX exporter, so both walk it alike.
/// </summary>
internal sealed record TorchvisionBlock(
    IReadOnlyList<(string Name, nn.Module Module)> Main, (string Name, nn.Module Module)? Downsample, bool Residual, bool ReluAfterSum)
{
    /// <summary>
    /// The block <paramref name="m"/> is, or null for a module type it does not know; <paramref name="unsupported"/>
    /// makes the exception for a known type whose children this TorchVision version names differently.
    /// </summary>
    public static TorchvisionBlock? Describe(nn.Module m, Func<string, Exception> unsupported)
    {
        var children = m.named_children().ToDictionary(c => c.name, c => (nn.Module)c.module, StringComparer.Ordinal);
        (string, nn.Module) Child(string name) => (name, children.TryGetValue(name, out var c) ? c
            : throw unsupported($"{m.GetType().Name} has no child '{name}'; this TorchVision version is not supported."));
        string typeName = m.GetType().FullName ?? m.GetType().Name;
        switch (typeName)
        {
            case "TorchSharp.Modules.ResNet+BasicBlock":
            case "TorchSharp.Modules.ResNet+Bottleneck":
            {
                // relu(main(x) + downsample(x))
                string[] order = typeName.EndsWith("BasicBlock", StringComparison.Ordinal)
                    ? ["conv1", "bn1", "relu1", "conv2", "bn2"]
                    : ["conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3"];
                return new(order.Select(Child).ToList(), children.ContainsKey("downsample") ? Child("downsample") : null, Residual: true, ReluAfterSum: true);
            }
            case "TorchSharp.Modules.MobileNetV2+InvertedResidual":
            {
                var field = m.GetType().GetField("use_res_connect", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
                    ?? throw unsupported("this TorchVision version's InvertedResidual is not supported.");
                return new([Child("conv")], null, Residual: (bool)field.GetValue(m)!, ReluAfterSum: false);
            }
            default:
                return null;
        }
    }
}

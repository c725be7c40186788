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
            case "TorchSharp.Modules.MobileNetV3+InvertedResidual":
            {
                // main(x) (+ x): MobileNetV2's main path is 'conv', MobileNetV3's 'block' (with squeeze-excitation inside).
                var field = m.GetType().GetField("use_res_connect", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
                    ?? throw unsupported("this TorchVision version's InvertedResidual is not supported.");
                string main = typeName.StartsWith("TorchSharp.Modules.MobileNetV2", StringComparison.Ordinal) ? "conv" : "block";
                return new([Child(main)], null, Residual: (bool)field.GetValue(m)!, ReluAfterSum: false);
            }
            default:
                return null;
        }
    }
}

/// <summary>How an Inception branch pools its input before its convolutions (torchvision's forward, not a child module).</summary>
internal enum InceptionPool
{
    None,
    /// <summary>avg_pool2d(x, 3, stride 1, padding 1), padding counted (InceptionA, C, E before branch_pool).</summary>
    Average3x3Same,
    /// <summary>max_pool2d(x, 3, stride 2), the whole branch (InceptionB, D).</summary>
    Max3x3Stride2,
}

/// <summary>
/// One branch of an Inception block: optional pooling, then children in sequence, then optionally two children applied
/// to the result and concatenated along channels (InceptionE's 1x3 / 3x1 pairs).
/// </summary>
internal sealed record InceptionBranch(InceptionPool Pool, IReadOnlyList<(string Name, nn.Module Module)> Sequence, IReadOnlyList<(string Name, nn.Module Module)> Split);

/// <summary>
/// torchvision's InceptionA..E blocks as data: the branches whose outputs are concatenated along channels, in forward's
/// order. (InceptionAux is not here: the trunk never runs it.)
/// </summary>
internal static class InceptionBlock
{
    /// <summary>The branches of <paramref name="m"/>, or null for a module that is not an Inception block.</summary>
    public static IReadOnlyList<InceptionBranch>? Describe(nn.Module m, Func<string, Exception> unsupported)
    {
        string typeName = m.GetType().FullName ?? m.GetType().Name;
        const string prefix = "TorchSharp.Modules.InceptionV3+Inception";
        if (!typeName.StartsWith(prefix, StringComparison.Ordinal) || typeName.Length != prefix.Length + 1) return null;
        var children = m.named_children().ToDictionary(c => c.name, c => (nn.Module)c.module, StringComparer.Ordinal);
        (string, nn.Module)[] C(params string[] names) => names.Select(n => (n, children.TryGetValue(n, out var c) ? c
            : throw unsupported($"{m.GetType().Name} has no child '{n}'; this TorchVision version is not supported."))).ToArray();
        InceptionBranch B(params string[] names) => new(InceptionPool.None, C(names), []);
        InceptionBranch Pooled(string conv) => new(InceptionPool.Average3x3Same, C(conv), []);
        InceptionBranch MaxPool() => new(InceptionPool.Max3x3Stride2, [], []);
        InceptionBranch Split(string[] sequence, string a, string b) => new(InceptionPool.None, C(sequence), C(a, b));
        InceptionBranch[] branches = typeName[^1] switch
        {
            'A' => [B("branch1x1"), B("branch5x5_1", "branch5x5_2"), B("branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"), Pooled("branch_pool")],
            'B' => [B("branch3x3"), B("branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"), MaxPool()],
            'C' => [B("branch1x1"), B("branch7x7_1", "branch7x7_2", "branch7x7_3"),
                    B("branch7x7dbl_1", "branch7x7dbl_2", "branch7x7dbl_3", "branch7x7dbl_4", "branch7x7dbl_5"), Pooled("branch_pool")],
            'D' => [B("branch3x3_1", "branch3x3_2"), B("branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3", "branch7x7x3_4"), MaxPool()],
            'E' => [B("branch1x1"), Split(["branch3x3_1"], "branch3x3_2a", "branch3x3_2b"),
                    Split(["branch3x3dbl_1", "branch3x3dbl_2"], "branch3x3dbl_3a", "branch3x3dbl_3b"), Pooled("branch_pool")],
            _ => throw unsupported($"{m.GetType().Name} is not a known Inception block."),
        };
        // Every child is used, so a TorchVision version with more (or renamed) children is refused rather than miscompiled.
        int used = branches.Sum(b => b.Sequence.Count + b.Split.Count);
        if (used != children.Count) throw unsupported($"{m.GetType().Name} has {children.Count} children, {used} expected; this TorchVision version is not supported.");
        return branches;
    }
}

/// <summary>
/// torchvision's squeeze-excitation, x * scale_activation(fc2(activation(fc1(avgpool(x))))), as the children of its
/// scale path in forward's order; the product with x is code, so the inference plan and the ONNX exporter add it.
/// </summary>
internal static class SqueezeExcitationBlock
{
    private static readonly string[] Order = ["avgpool", "fc1", "activation", "fc2", "scale_activation"];

    /// <summary>The scale path of <paramref name="se"/>; <paramref name="unsupported"/> makes the exception for children named or shaped otherwise.</summary>
    public static IReadOnlyList<(string Name, nn.Module Module)> ScalePath(torchvision.SqueezeExcitation se, Func<string, Exception> unsupported)
    {
        var children = se.named_children().ToDictionary(c => c.name, c => (nn.Module)c.module, StringComparer.Ordinal);
        if (children.Count != Order.Length || !Order.All(children.ContainsKey))
            throw unsupported($"SqueezeExcitation with children [{string.Join(", ", children.Keys)}]: this TorchVision version is not supported.");
        if (children["avgpool"] is not TorchSharp.Modules.AdaptiveAvgPool2d { output_size: [1, 1] or [1] })
            throw unsupported("SqueezeExcitation pooling to more than 1x1 is not supported.");
        return Order.Select(n => (n, children[n])).ToList();
    }
}

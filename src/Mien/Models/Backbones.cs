using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// The ImageNet architectures of TorchVision for .NET usable as the first layer of a spec (<c>{"type": "backbone",
/// "name": "resnet18"}</c>). Each is built with TorchVision's own builder; its feature trunk is kept under
/// torchvision's child names, after a <see cref="GreyToRgb"/> step, and its classifier is dropped.
/// The trunk's output is the last feature map (N x C x h x w); the spec's next layers (global pooling, dropout)
/// and the builder's classifier form the new head.
/// </summary>
public static class Backbones
{
    /// <summary>Smallest input side a backbone takes (inception_v3: 75).</summary>
    public const int MinInputSize = 48;
    /// <summary>Largest input side a backbone takes (ImageNet's).</summary>
    public const int MaxInputSize = 224;

    private static readonly string[] ResNetTrunk = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"];
    private static readonly string[] ResNetHead = ["fc."];
    private static readonly string[] ClassifierHead = ["classifier."];

    internal static IReadOnlyList<BackboneArchitecture> All { get; } =
    [
        new() { Name = "resnet18", Description = "ResNet-18 (He et al., 2015)", Trunk = ResNetTrunk, HeadPrefixes = ResNetHead, Build = () => torchvision.models.resnet18() },
        new() { Name = "resnet34", Description = "ResNet-34", Trunk = ResNetTrunk, HeadPrefixes = ResNetHead, Build = () => torchvision.models.resnet34() },
        new() { Name = "resnet50", Description = "ResNet-50 (bottleneck blocks)", Trunk = ResNetTrunk, HeadPrefixes = ResNetHead, Build = () => torchvision.models.resnet50() },
        new() { Name = "mobilenet_v2", Description = "MobileNetV2 (Sandler et al., 2018)", Trunk = ["features"], HeadPrefixes = ClassifierHead, HeadDropout = 0.2, Build = () => torchvision.models.mobilenet_v2() },
        new() { Name = "mobilenet_v3_small", Description = "MobileNetV3-Small (Howard et al., 2019)", Trunk = ["features"], HeadPrefixes = ClassifierHead, HeadDropout = 0.2, Build = () => torchvision.models.mobilenet_v3_small(), Fix = SqueezeExcitationReLU },
        new() { Name = "mobilenet_v3_large", Description = "MobileNetV3-Large", Trunk = ["features"], HeadPrefixes = ClassifierHead, HeadDropout = 0.2, Build = () => torchvision.models.mobilenet_v3_large(), Fix = SqueezeExcitationReLU },
        new() { Name = "vgg16", Description = "VGG-16 (Simonyan & Zisserman, 2014)", Trunk = ["features"], HeadPrefixes = ClassifierHead, HeadDropout = 0.5, Build = () => torchvision.models.vgg16() },
        new() { Name = "vgg16_bn", Description = "VGG-16 with batch norm", Trunk = ["features"], HeadPrefixes = ClassifierHead, HeadDropout = 0.5, Build = () => torchvision.models.vgg16_bn() },
        new()
        {
            Name = "inception_v3", Description = "Inception v3 (Szegedy et al., 2015)", MinInputSize = 75, HeadDropout = 0.5, PretrainedMean = 0.5f, PretrainedStd = 0.5f,
            Trunk = ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3", "maxpool2",
                     "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c"],
            // AuxLogits is a training-time side classifier; TorchSharp's forward never calls it.
            HeadPrefixes = ["fc.", "AuxLogits."], Build = () => torchvision.models.inception_v3(),
        },
    ];

    private static readonly Dictionary<string, BackboneArchitecture> ByName = All.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The backbone names (resnet18, mobilenet_v2, ...).</summary>
    public static IReadOnlyCollection<string> Names { get; } = All.Select(a => a.Name).ToArray();

    internal static BackboneArchitecture? Find(string name) => ByName.GetValueOrDefault(name.Trim());

    // The torchvision model that made a trunk stays reachable while the trunk lives: its children are shared.
    private static readonly ConditionalWeakTable<nn.Module, nn.Module> Owners = new();
    private static readonly ConcurrentDictionary<(string, int), (long C, long H, long W, long MultiplyAdds)> Measured = new();

    /// <summary>A freshly initialised trunk: grey_to_rgb, then torchvision's trunk children under their own names.</summary>
    internal static Sequential CreateTrunk(BackboneArchitecture arch)
    {
        var full = arch.Build();
        var children = full.named_children().ToDictionary(c => c.name, c => c.module);
        var trunk = nn.Sequential([("grey_to_rgb", (nn.Module<Tensor, Tensor>)new GreyToRgb()),
            .. arch.Trunk.Select(n => (n, (nn.Module<Tensor, Tensor>)children[n]))]);
        // The classifier is never used: free it now (VGG's is 120 M parameters).
        foreach (var (name, child) in children) if (!arch.Trunk.Contains(name)) child.Dispose();
        Owners.Add(trunk, full);
        arch.Fix?.Invoke(trunk);
        return trunk;
    }

    /// <summary>
    /// Output shape and multiply-adds (convolutions and linear layers) of a trunk for one size x size face, measured once
    /// per architecture and size with forward hooks on a zero image: the trunk is torchvision's code, so its shapes are
    /// not re-derived here.
    /// </summary>
    internal static (long C, long H, long W, long MultiplyAdds) Measure(BackboneArchitecture arch, Sequential trunk, int size) =>
        Measured.GetOrAdd((arch.Name, size), _ => MeasureTrunk(trunk, size));

    /// <summary>Output shape and multiply-adds of any trunk for one size x size grey face (uncached).</summary>
    internal static (long C, long H, long W, long MultiplyAdds) MeasureTrunk(nn.Module<Tensor, Tensor> trunk, int size)
        {
            bool training = trunk.training;
            long macs = 0;
            var hooks = new List<Action>();
            try
            {
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                foreach (var m in trunk.modules())
                {
                    if (m is Conv2d c)
                        hooks.Add(c.register_forward_hook((_, _, y) => { macs += y.numel() * (c.in_channels / c.groups) * c.kernel_size.Aggregate(1L, (a, k) => a * k); return y; }).remove);
                    else if (m is Linear l)
                        hooks.Add(l.register_forward_hook((_, _, y) => { macs += y.numel() * l.in_features; return y; }).remove);
                }
                trunk.eval();
                var output = trunk.forward(torch.zeros(1, 1, size, size));
                return (output.shape[1], output.shape[2], output.shape[3], macs);
            }
            finally
            {
                foreach (var remove in hooks) remove();
                trunk.train(training);
            }
        }

    /// <summary>
    /// TorchSharp 0.107's MobileNetV3 squeeze-excitation blocks use ReLU6 between their two 1x1 convolutions where
    /// torchvision uses ReLU (the outputs differ once a value exceeds 6: 0.4 on a 96-channel block in our parity check).
    /// A forward hook makes each such ReLU6 return relu of its input, so torchvision's weights compute torchvision's function.
    /// </summary>
    private static void SqueezeExcitationReLU(nn.Module trunk)
    {
        foreach (var se in trunk.modules().OfType<torchvision.SqueezeExcitation>())
            foreach (var (name, child) in se.named_children())
                if (name == "activation" && child is ReLU6 { inplace: false } relu6)
                {
                    relu6.register_forward_hook((_, input, _) => nn.functional.relu(input));
                    ReLU6sComputingReLU.AddOrUpdate(relu6, relu6);
                }
    }

    // The ReLU6 modules SqueezeExcitationReLU hooked: the inference plan calls forward, not the hooks, so it asks.
    private static readonly ConditionalWeakTable<ReLU6, ReLU6> ReLU6sComputingReLU = new();

    /// <summary>Whether a forward hook makes this ReLU6 compute ReLU (MobileNetV3's squeeze-excitation, see above).</summary>
    internal static bool ComputesReLU(ReLU6 relu6) => ReLU6sComputingReLU.TryGetValue(relu6, out _);
}

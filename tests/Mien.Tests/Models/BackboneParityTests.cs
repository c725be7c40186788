using Mien.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Mien.Tests.Models;

/// <summary>
/// Acceptance of the pretrained-weights path: a state dict written by Debian's torchvision 0.14 (random weights and
/// batch-norm statistics, made by the test), loaded into Mien's backbone, gives torchvision's own outputs on the same
/// grey faces: the pooled features (every trunk tensor loaded where it belongs) and the logits once the 7-class head
/// torchvision used is copied into Mien's classifier, to 1e-4 in float32 (where a random network amplifies float32
/// rounding past that, to 1e-4 in float64 and 5e-4 of the outputs' size in float32).
/// </summary>
public class BackboneParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("resnet18", 64)]
    [InlineData("mobilenet_v2", 64)]
    [InlineData("vgg16", 64)]
    [InlineData("inception_v3", 80)]
    [InlineData("mobilenet_v3_small", 64)] // TorchSharp's squeeze-excitation differs; Backbones corrects it
    public void Torchvision_state_dict_gives_torchvision_outputs(string arch, int size)
    {
        using var tmp = TestData.NewTempDir();
        TorchvisionReference.Make(arch, size, tmp.Path);
        using var scope = torch.NewDisposeScope();
        var expected = PyTorchUnpickler.UnpickleStateDict(tmp["expected.pt"]);
        Tensor Expected(string key) => (Tensor)expected[key]!;

        var spec = ModelZoo.GetSpec(arch) with { InputSize = size };
        using var net = ModelBuilder.Build(spec, 7, out _);
        var loaded = PretrainedWeights.Load(net, spec, tmp["weights.pth"]);
        int trunkTensors = net.named_children().First(c => c.name == ModelBuilder.BackboneModule).module.state_dict().Count;
        Assert.Equal(trunkTensors, loaded.TensorsLoaded);
        Assert.True(loaded.HeadTensorsSkipped >= 2, $"the file's classifier should be skipped, skipped {loaded.HeadTensorsSkipped}");
        CopyHead(net, Expected("head_weight"), Expected("head_bias"));
        net.eval();

        var input = Expected("input");
        // float32, as Mien trains and predicts, in both layouts (channels-last is the one inference and training use).
        var (features, logits) = Run(net, input);
        var (featuresCl, logitsCl) = Run(net, MemoryLayout.GreyAsChannelsLast(input));
        double largest = Math.Max(Expected("features").abs().max().item<float>(), Expected("logits").abs().max().item<float>()), scale = Math.Max(1, largest);
        double f32 = new[] { MaxDiff(features, Expected("features")), MaxDiff(logits, Expected("logits")),
                             MaxDiff(featuresCl, Expected("features")), MaxDiff(logitsCl, Expected("logits")) }.Max();
        string f64Text = "not needed";
        if (f32 >= Tolerance)
        {
            // A deep random network amplifies float32 rounding (Inception: ~1e-6 per block, doubling block after block).
            // In float64 on both sides what is left is the function itself; float32 must then agree relative to the outputs.
            net.to(ScalarType.Float64);
            var (features64, logits64) = Run(net, input.to(ScalarType.Float64));
            double f64 = Math.Max(MaxDiff(features64, Expected("features64")), MaxDiff(logits64, Expected("logits64")));
            net.to(ScalarType.Float32);
            f64Text = $"{f64:G3}";
            Assert.True(f64 < Tolerance, $"{arch}: in float64 torchvision and Mien differ by {f64:G3}");
            // Measured: 6e-5 of the outputs on Inception (rounding differs with the CPU's vector width and thread count).
            Assert.True(f32 < 5 * Tolerance * scale, $"{arch}: in float32 torchvision and Mien differ by {f32:G3} (largest output {scale:G4})");
        }
        output.WriteLine($"{arch} at {size}x{size}: {loaded.TensorsLoaded} tensors loaded, {loaded.HeadTensorsSkipped} head tensors skipped; " +
                         $"max |output| {largest:G4}; max abs difference (features and logits): float32 {f32:G3}, float64 {f64Text}");

        if (arch == "resnet18")
        {
            // The same tensors from a .safetensors file give the same network.
            using var again = ModelBuilder.Build(spec, 7, out _);
            PretrainedWeights.Load(again, spec, tmp["weights.safetensors"]);
            CopyHead(again, Expected("head_weight"), Expected("head_bias"));
            again.eval();
            Assert.Equal(0, MaxDiff(Run(again, input).Logits, logits));
        }
    }

    private static void CopyHead(nn.Module net, Tensor weight, Tensor bias)
    {
        var state = net.state_dict();
        using var _ = torch.no_grad();
        state["classifier.weight"].copy_(weight);
        state["classifier.bias"].copy_(bias);
    }

    /// <summary>The pooled features (the classifier's input) and the logits, in the input's precision.</summary>
    private static (Tensor Features, Tensor Logits) Run(nn.Module<Tensor, Tensor> net, Tensor input)
    {
        using var _ = torch.no_grad();
        var x = input;
        foreach (var (name, layer) in net.named_children())
        {
            if (name == "classifier") return (x, ((nn.Module<Tensor, Tensor>)layer).forward(x));
            x = ((nn.Module<Tensor, Tensor>)layer).forward(x);
        }
        throw new InvalidOperationException("The network has no classifier.");
    }

    private static double MaxDiff(Tensor a, Tensor b) => (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();
}

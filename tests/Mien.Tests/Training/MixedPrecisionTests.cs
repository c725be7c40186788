using Mien.Models;
using Mien.Splits;
using Mien.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Tests.Training;

/// <summary>bf16 training (--precision bf16): bf16 layers in the batches, fp32 master weights everywhere else.</summary>
public class MixedPrecisionTests
{
    private static readonly ModelSpec Net = ModelSpec.FromJson("""
        { "name": "test-mixed", "input_size": 48, "layers": [
          { "type": "conv2d", "filters": 8, "batchnorm": true, "activation": "relu" }, { "type": "maxpool" },
          { "type": "conv2d", "filters": 16, "activation": "relu" }, { "type": "global_avg_pool" },
          { "type": "dense", "units": 16, "activation": "relu" } ] }
        """);

    private static Dictionary<string, Tensor> Gradients(nn.Module<Tensor, Tensor> net, Tensor x, Tensor y, MixedPrecision? mixed)
    {
        foreach (var p in net.parameters()) p.grad?.zero_();
        mixed?.Enter();
        var raw = net.forward(mixed is null ? x : MixedPrecision.Input(x));
        Assert.Equal(mixed is null ? ScalarType.Float32 : ScalarType.BFloat16, raw.dtype); // the layers computed in bf16
        var logits = raw.to(ScalarType.Float32);
        nn.functional.cross_entropy(logits, y).backward();
        mixed?.GradientsToMasters();
        mixed?.Exit();
        return net.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());
    }

    [Fact]
    public void The_masters_get_the_bf16_layers_gradients_as_fp32_and_are_back_in_the_layers_afterwards()
    {
        torch.manual_seed(1);
        using var net = ModelBuilder.Build(Net, 7, out _);
        net.train();
        var x = torch.randn(16, 1, 48, 48);
        var y = torch.randint(0, 7, 16);
        var masters = net.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var fp32 = Gradients(net, x, y, null);
        using var mixed = new MixedPrecision(net);
        var bf16 = Gradients(net, x, y, mixed);

        foreach (var (name, g) in fp32)
        {
            Assert.Equal(ScalarType.Float32, bf16[name].dtype);
            // bf16 keeps ~3 significant digits: the gradient points the same way, not to the last bit.
            double cosine = (g * bf16[name]).sum().item<float>() / (g.norm().item<float>() * bf16[name].norm().item<float>() + 1e-12);
            Assert.True(cosine > 0.99, $"{name}: cosine {cosine:F4} between the fp32 and bf16 gradients");
        }
        Assert.Contains(fp32, kv => !kv.Value.allclose(bf16[kv.Key], 0, 0)); // it did compute in bf16
        // Outside the batches the layers hold the very fp32 parameters the optimizer updates.
        foreach (var (name, p) in net.named_parameters())
        {
            Assert.Same(masters[name], p);
            Assert.Equal(ScalarType.Float32, p.dtype);
        }
    }

    [Fact]
    public void A_bf16_run_learns_and_saves_an_fp32_model()
    {
        using var tmp = TestData.NewTempDir();
        var split = Splitter.HoldOut(SmallTraining.Ck, 0.25, seed: 1);
        var o = new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 3, LearningRate = 3e-3, RunDirectory = tmp["run"], Precision = TrainingPrecision.BFloat16 };
        var result = new Trainer(o).Fit(SmallTraining.Ck, split, Net);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss, $"training loss {result.History[0].TrainLoss:F3} -> {result.History[^1].TrainLoss:F3}");
        Assert.All(result.Model.Network.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        using var saved = EmotionModel.Load(Path.Combine(tmp["run"], "best.mien"), InferencePrecision.Float32);
        Assert.All(saved.Network.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void A_layer_with_weights_of_its_own_type_is_refused_with_its_name()
    {
        using var net = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("norm", nn.GroupNorm(2, 4)));
        var e = Assert.Throws<ArgumentException>(() => new MixedPrecision(net));
        Assert.Contains("'norm'", e.Message);
        Assert.Contains("fp32", e.Message);
    }
}

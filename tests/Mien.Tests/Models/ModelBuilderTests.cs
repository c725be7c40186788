using Mien.Models;
using TorchSharp;

namespace Mien.Tests.Models;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class ModelBuilderTests
{
    [Theory]
    [MemberData(nameof(Mien.Tests.Models.Presets.All), MemberType = typeof(Mien.Tests.Models.Presets))]
    public void Presets_build_and_output_one_logit_per_class(string preset)
    {
        using var net = ModelZoo.CreateModel(preset, 7);
        net.eval();
        using var x = torch.randn(3, 1, 48, 48);
        using var y = net.forward(x);
        Assert.Equal([3L, 7L], y.shape);
    }

    [Fact]
    public void Parameter_counts_match_the_network()
    {
        var s = ModelBuilder.Summarize(ModelZoo.GetSpec("mini-xception"), 7);
        using var net = ModelZoo.CreateModel("mini-xception", 7);
        long actual = net.parameters().Sum(p => p.numel());
        Assert.Equal(actual, s.Parameters);
        Assert.InRange(s.Parameters, 40_000, 80_000); // the paper's ~60k
        long layerSum = s.Layers.Sum(l => l.Parameters);
        Assert.Equal(actual, layerSum);
    }

    [Fact]
    public void Json_spec_round_trips_and_builds()
    {
        string json = """
        { "name": "tiny", "input_size": 32, "layers": [
            { "type": "conv2d", "filters": 8, "kernel": 3, "batchnorm": true, "activation": "leaky_relu", "rate": 0.1 },
            { "type": "maxpool", "kernel": 2 },
            { "type": "residual", "layers": [ { "type": "conv2d", "filters": 8 }, { "type": "activation", "activation": "gelu" } ] },
            { "type": "avgpool" }, { "type": "dropout", "rate": 0.2 }, { "type": "flatten" },
            { "type": "dense", "units": 16, "activation": "elu" } ] }
        """;
        var spec = ModelSpec.FromJson(json);
        var again = ModelSpec.FromJson(spec.ToJson());
        Assert.Equal(spec.ToJson(), again.ToJson());
        using var net = ModelBuilder.Build(again, 3, out var summary);
        net.eval();
        using var y = net.forward(torch.zeros(2, 1, 32, 32));
        Assert.Equal([2L, 3L], y.shape);
        Assert.Equal(2 * (8 * 9 * 32 * 32 + 8 * 8 * 9 * 16 * 16 + 8 * 8 * 8 * 16 + 16 * 3), summary.Flops);
    }

    [Theory]
    [InlineData("{ \"layers\": [ { \"type\": \"conv9d\" } ] }", "unknown layer type 'conv9d'")]
    [InlineData("{ \"layers\": [ { \"type\": \"conv2d\" } ] }", "'filters' is required")]
    [InlineData("{ \"layers\": [ { \"type\": \"dense\", \"units\": 4 } ] }", "add 'flatten'")]
    [InlineData("{ \"layers\": [ { \"type\": \"conv2d\", \"filters\": 4 } ] }", "not flat")]
    [InlineData("{ \"layers\": [ { \"type\": \"maxpool\", \"kernel\": 64 } ] }", "does not fit")]
    [InlineData("{ \"layers\": [ { \"type\": \"activation\", \"activation\": \"wiggle\" } ] }", "unknown activation 'wiggle'")]
    [InlineData("{ \"layers\": [ { \"type\": \"dropout\", \"rate\": 1.5 } ] }", "rate 1.5")]
    [InlineData("{ \"layers\": [ ", "malformed JSON")]
    [InlineData("{ \"layers\": [] }", "'layers' is empty")]
    public void Malformed_specs_give_clear_errors(string json, string expected)
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson(json, "my-spec.json"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("my-spec.json", e.Message);
    }

    [Fact]
    public void Unknown_preset_lists_the_known_ones()
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelZoo.GetSpec("resnet-9000"));
        Assert.Contains("resnet-9000", e.Message);
        Assert.Contains("vgg-small", e.Message);
    }

    [Theory]
    [InlineData(48)] [InlineData(47)]
    public void Subsample_then_1x1_equals_a_strided_1x1_convolution(int size)
    {
        // The residual shortcut's form (see Subsample): same function as Conv2d(1x1, stride 2), odd sizes included.
        torch.manual_seed(3);
        using var strided = torch.nn.Conv2d(8, 16, 1, stride: 2, bias: false);
        using var plain = torch.nn.Conv2d(8, 16, 1, bias: false);
        using (torch.no_grad()) plain.weight!.copy_(strided.weight!);
        var x = torch.randn(2, 8, size, size);
        var expected = strided.forward(x);
        var actual = plain.forward(new Subsample(2).forward(x));
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6));
    }
}

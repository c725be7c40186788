using Mien.IO;
using Mien.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Mien.Tests.Models;

/// <summary>TorchVision backbones as registry models: specs, sizes, layouts, saving, compiling, weight-file errors. Small inputs only.</summary>
[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class BackboneTests
{
    private static readonly string[] Classes = ["anger", "happy", "sadness"];

    [Fact]
    public void Every_backbone_is_reachable_by_name_but_not_among_the_presets()
    {
        string[] expected = ["resnet18", "resnet34", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "vgg16", "vgg16_bn", "inception_v3"];
        Assert.Equal(expected, ModelZoo.BackboneNames);
        foreach (var name in expected)
        {
            var spec = ModelZoo.GetSpec(name);
            Assert.True(ModelZoo.IsBackbone(spec));
            Assert.Equal(name, spec.Layers[0].Name);
                Assert.Equal(spec.ToJson(), ModelSpec.FromJson(spec.ToJson()).ToJson()); // self-describing in metadata.json
        }
        Assert.DoesNotContain("resnet18", ModelZoo.Names); // the presets' theories and benchmarks stay as they were
        Assert.Equal(75, ModelZoo.GetSpec("inception_v3").InputSize);
    }

    [Fact]
    public void Resnet18_has_torchvisions_trunk_and_a_new_head_per_class()
    {
        var s = ModelBuilder.Summarize(ModelZoo.GetSpec("resnet18") with { InputSize = 64 }, 7);
        // torchvision's resnet18 has 11,689,512 parameters; its fc (512x1000 + 1000) goes, a 512x7 + 7 head comes.
        Assert.Equal(11_689_512 - 513_000 + 3_591, s.Parameters);
        Assert.Equal("512x2x2", s.Layers[0].OutputShape);
        // Convolutions at 64x64: 1.82 GMACs at 224x224 scale with the feature-map areas; counted by hooks, cached per size.
        Assert.InRange(s.MultiplyAdds, 140_000_000, 160_000_000);
        Assert.Equal(s.MultiplyAdds, ModelBuilder.Summarize(ModelZoo.GetSpec("resnet18") with { InputSize = 64 }, 7).MultiplyAdds);
    }

    [Theory]
    [InlineData("inception_v3", 64, "at least 75x75")]
    [InlineData("resnet18", 32, "48..224")]
    [InlineData("mobilenet_v2", 256, "48..224")]
    public void Input_sizes_outside_a_backbones_range_are_refused_clearly(string arch, int size, string message)
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelBuilder.Validate(ModelZoo.GetSpec(arch) with { InputSize = size }));
        Assert.Contains(arch, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_backbone_must_come_first_and_be_known()
    {
        var late = Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson("""
            { "input_size": 64, "layers": [ { "type": "batchnorm" }, { "type": "backbone", "name": "resnet18" }, { "type": "global_avg_pool" } ] }
            """));
        Assert.Contains("first layer", late.Message);
        var unknown = Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson("""{ "input_size": 64, "layers": [ { "type": "backbone", "name": "resnet19" } ] }"""));
        Assert.Contains("resnet19", unknown.Message);
        Assert.Contains("resnet18", unknown.Message);
    }

    [Fact]
    public void Grey_is_repeated_into_three_channels_keeping_the_layout()
    {
        using var scope = torch.NewDisposeScope();
        var grey = torch.rand(2, 1, 8, 8);
        var rgb = new GreyToRgb().forward(grey);
        Assert.Equal([2L, 3, 8, 8], rgb.shape);
        Assert.True(rgb.is_contiguous());
        for (int c = 0; c < 3; c++) Assert.True(rgb[.., c].equal(grey[.., 0]).all().item<bool>());
        var channelsLast = new GreyToRgb().forward(MemoryLayout.GreyAsChannelsLast(grey));
        Assert.Equal(1, channelsLast.stride(1)); // NHWC strides: the trunk then runs channels-last
        Assert.True(channelsLast.equal(rgb).all().item<bool>());
    }

    [Fact]
    public void Resnets_train_nchw_because_of_their_strided_1x1_shortcuts_the_others_channels_last()
    {
        using var resnet = ModelBuilder.Build(ModelZoo.GetSpec("resnet18"), 7, out _);
        Assert.False(MemoryLayout.CanTrainChannelsLast(resnet));
        using var mobilenet = ModelBuilder.Build(ModelZoo.GetSpec("mobilenet_v3_small"), 7, out _);
        Assert.True(MemoryLayout.CanTrainChannelsLast(mobilenet));
    }

    /// <summary>
    /// A loaded backbone model rebuilds the same network from metadata.json and compiles it: ResNet's blocks, VGG-16-BN and
    /// MobileNetV3's squeeze-excitation blocks (a layer the compiler did not know would run the plain network, Precision null).
    /// </summary>
    [Theory]
    [InlineData("resnet18", true)]
    [InlineData("vgg16_bn", true)]
    [InlineData("mobilenet_v3_small", true)]
    public void Saved_backbone_models_reload_and_predict_the_same(string arch, bool compiled)
    {
        using var tmp = TestData.NewTempDir();
        torch.manual_seed(3);
        using var model = EmotionModel.Create(ModelZoo.GetSpec(arch) with { InputSize = 56 }, Classes, 0.5f, 0.25f);
        using (torch.no_grad())
            foreach (var (name, buffer) in model.Network.named_buffers())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.copy_(torch.randn(buffer.shape) * 0.2);
                if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.copy_(torch.rand(buffer.shape) + 0.5);
            }
        model.Network.eval();
        var pixels = new byte[3 * 56 * 56];
        new Random(4).NextBytes(pixels);
        var live = model.PredictProbabilities(pixels, 3);
        model.Save(tmp["m.mien"]);
        using var loaded = EmotionModel.Load(tmp["m.mien"], InferencePrecision.Float32);
        var again = loaded.PredictProbabilities(pixels, 3);
        Assert.Equal(compiled ? InferencePrecision.Float32 : null, loaded.Precision);
        Assert.Equal(56, loaded.InputSize);
        for (int i = 0; i < 3; i++) for (int k = 0; k < Classes.Length; k++) Assert.Equal(live[i][k], again[i][k], 1e-4f);
    }

    [Fact]
    public void A_torchsharp_written_state_dict_loads_and_a_wrong_one_names_every_bad_tensor()
    {
        using var tmp = TestData.NewTempDir();
        using var scope = torch.NewDisposeScope();
        var spec = ModelZoo.GetSpec("resnet18");
        using var tv = torchvision.models.resnet18();
        tv.save_py(tmp["resnet18.pth"]);
        using var net = ModelBuilder.Build(spec, 7, out _);
        var r = PretrainedWeights.Load(net, spec, tmp["resnet18.pth"]);
        Assert.Equal(2, r.HeadTensorsSkipped); // fc.weight, fc.bias
        Assert.True(tv.state_dict()["layer4.1.conv2.weight"].equal(net.state_dict()["0_backbone.layer4.1.conv2.weight"]).all().item<bool>());

        var bad = tv.state_dict().Where(p => p.Key != "layer2.0.bn1.running_var").ToDictionary();
        bad["conv1.weight"] = torch.zeros(64, 1, 7, 7);
        bad["layer5.0.conv1.weight"] = torch.zeros(1);
        Safetensors.SaveStateDict(tmp["bad.safetensors"], bad);
        var e = Assert.Throws<MienException>(() => PretrainedWeights.Load(net, spec, tmp["bad.safetensors"]));
        Assert.Contains("1 missing: layer2.0.bn1.running_var", e.Message);
        Assert.Contains("1 unexpected: layer5.0.conv1.weight", e.Message);
        Assert.Contains("1 mis-shaped: conv1.weight (file 64x1x7x7, resnet18 64x3x7x7)", e.Message);

        File.WriteAllText(tmp["junk.pth"], "not a pickle");
        Assert.Contains("could not be read", Assert.Throws<MienException>(() => PretrainedWeights.Load(net, spec, tmp["junk.pth"])).Message);
        Assert.Contains("has none", Assert.Throws<MienException>(() =>
            PretrainedWeights.Load(ModelBuilder.Build(ModelZoo.GetSpec("mini-xception"), 7, out _), ModelZoo.GetSpec("mini-xception"), tmp["resnet18.pth"])).Message);
    }
}

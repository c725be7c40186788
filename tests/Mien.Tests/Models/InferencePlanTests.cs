using Mien.Data;
using Mien.Inference;
using Mien.Models;
using Mien.Runtime;
using TorchSharp;

namespace Mien.Tests.Models;

/// <summary>A loaded model runs a compiled copy of its network; it must compute what the network computes.</summary>
public class InferencePlanTests
{
    private static readonly string[] Classes = ["anger", "disgust", "fear", "happy", "sadness", "surprise", "neutral"];

    /// <summary>A model of the preset with non-trivial batch-norm statistics (fresh ones would make folding a no-op), saved to a file.</summary>
    private static string SavedModel(TempDir tmp, string preset, out float[][] live, out byte[] pixels, int count)
    {
        torch.manual_seed(7);
        using var model = EmotionModel.Create(ModelZoo.GetSpec(preset), Classes, 0.5f, 0.25f);
        using (torch.no_grad())
        {
            foreach (var (name, buffer) in model.Network.named_buffers())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.copy_(torch.randn(buffer.shape) * 0.2);
                if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.copy_(torch.rand(buffer.shape) + 0.5);
            }
            foreach (var (name, p) in model.Network.named_parameters())
                if (name.EndsWith("_bn.bias", StringComparison.Ordinal)) p.copy_(torch.randn(p.shape) * 0.1);
        }
        model.Network.eval();
        pixels = RandomFaces(count, 5, model.Metadata.InputSize);
        live = model.PredictProbabilities(pixels, count);
        string path = tmp[preset + ".mien"];
        model.Save(path);
        return path;
    }

    private static byte[] RandomFaces(int count, int seed, int side = 48)
    {
        var pixels = new byte[count * side * side];
        new Random(seed).NextBytes(pixels);
        return pixels;
    }

    /// <summary>fp32: the same function up to float rounding; bf16: ~3 significant digits, so probabilities within a few percent.</summary>
    [Theory]
    [MemberData(nameof(Presets.WithPrecisions), MemberType = typeof(Presets))]
    public void The_compiled_model_computes_what_the_live_network_computes(string preset, InferencePrecision precision, double tolerance)
    {
        using var tmp = TestData.NewTempDir();
        string path = SavedModel(tmp, preset, out var live, out var pixels, 16);
        using var loaded = EmotionModel.Load(path, precision);
        Assert.Equal(precision, loaded.Precision); // compiled, not the fallback to the plain network
        var compiled = loaded.PredictProbabilities(pixels, 16);
        double worst = 0;
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(1.0, compiled[i].Sum(), 3);
            for (int k = 0; k < Classes.Length; k++) worst = Math.Max(worst, Math.Abs(live[i][k] - compiled[i][k]));
        }
        Assert.True(worst < tolerance, $"{preset} {precision}: probabilities differ from the live network's by up to {worst:G3}");
    }

    /// <summary>Backbones take the same fast path: torchvision's residual units and the imported ONNX graph compile too.</summary>
    [Theory]
    [InlineData("resnet18", InferencePrecision.Float32, 1e-4)]
    [InlineData("resnet18", InferencePrecision.BFloat16, 0.05)]
    [InlineData("resnet50", InferencePrecision.Float32, 1e-4)]
    [InlineData("mobilenet_v2", InferencePrecision.Float32, 1e-4)]
    [InlineData("mobilenet_v2", InferencePrecision.BFloat16, 0.05)]
    [InlineData("vgg16_bn", InferencePrecision.Float32, 1e-4)]
    [InlineData("resnet18-cntk", InferencePrecision.Float32, 1e-4)]
    [InlineData("resnet18-cntk", InferencePrecision.BFloat16, 0.05)]
    public void A_compiled_backbone_computes_what_the_live_network_computes(string backbone, InferencePrecision precision, double tolerance) =>
        The_compiled_model_computes_what_the_live_network_computes(backbone, precision, tolerance);

    [Fact]
    public void The_bundled_model_gives_the_same_answers_in_bfloat16_on_real_faces()
    {
        // The PublicTest faces among 6,000 loaded (~660): the shipped default precision (bf16 on CPUs that have it) must not change answers.
        var data = DatasetLoader.Load(TestData.Fer2013Zip, new DatasetLoadOptions { Limit = 6000 });
        var test = data.IndicesOfSplit("test");
        Assert.True(test.Length > 300, $"only {test.Length} PublicTest faces loaded");
        int area = 48 * 48;
        var pixels = test.SelectMany(i => data.Pixels.AsSpan(i * area, area).ToArray()).ToArray();
        using var fp32 = DefaultModel.Load(InferencePrecision.Float32);
        using var bf16 = DefaultModel.Load(InferencePrecision.BFloat16);
        var a = fp32.PredictProbabilities(pixels, test.Length);
        var b = bf16.PredictProbabilities(pixels, test.Length);
        int agree = 0;
        double worst = 0;
        for (int i = 0; i < test.Length; i++)
        {
            if (Array.IndexOf(a[i], a[i].Max()) == Array.IndexOf(b[i], b[i].Max())) agree++;
            for (int k = 0; k < a[i].Length; k++) worst = Math.Max(worst, Math.Abs(a[i][k] - b[i][k]));
        }
        Assert.True(agree >= test.Length * 0.98, $"top-1 agrees on {agree}/{test.Length} faces");
        Assert.True(worst < 0.1, $"largest probability difference {worst:F4}");
    }

    [Fact]
    public void A_model_loaded_inside_a_dispose_scope_outlives_it()
    {
        EmotionModel model;
        using (torch.NewDisposeScope()) model = DefaultModel.Load();
        using (model)
        {
            // The plan is built inside the first call's scope; the second call must still find its weights.
            for (int call = 0; call < 2; call++)
            {
                var p = model.PredictProbabilities(RandomFaces(2, 9), 2);
                Assert.Equal(1.0, p[0].Sum(), 3);
            }
        }
    }

    [Fact]
    public void Auto_picks_bfloat16_only_where_the_cpu_has_it()
    {
        // Where it has it, Auto measures both (PrecisionChooserTests); where it has not, float32 without a measurement.
        using var model = DefaultModel.Load(InferencePrecision.Auto);
        if (CpuFeatures.HasNativeBFloat16) Assert.Contains(model.Precision, new InferencePrecision?[] { InferencePrecision.Float32, InferencePrecision.BFloat16 });
        else Assert.Equal(InferencePrecision.Float32, model.Precision);
    }

    [Fact]
    public void Models_made_from_a_network_run_it_live()
    {
        // Training evaluates the model between weight updates: it must not predict from a stale snapshot.
        using var model = EmotionModel.Create(ModelZoo.GetSpec("seed"), Classes, 0.5f, 0.25f);
        Assert.Null(model.Precision);
        model.Network.eval();
        var pixels = RandomFaces(2, 4);
        var before = model.PredictProbabilities(pixels, 2);
        using (torch.no_grad()) foreach (var p in model.Network.parameters()) p.add_(0.05);
        var after = model.PredictProbabilities(pixels, 2);
        Assert.NotEqual(before[0], after[0]);
    }
}

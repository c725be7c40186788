using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mien.Data;
using Mien.IO;
using Mien.Models;
using Mien.Models.Onnx;
using Mien.Splits;
using Mien.Training;
using Onnx;
using OpenCvSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Tests.Models;

/// <summary>
/// ONNX CNNs imported as trainable TorchSharp modules: ML.NET's real ImageNet ResNet-18 (a CNTK export with asymmetric
/// padding) against ONNX Runtime on a real photo, fine-tuning it on CK+, and the errors of files that do not fit.
/// </summary>
public class OnnxImportTests
{
    private static string ResNet18Path =>
        OnnxBackbones.FindCntkResNet18() ?? throw new InvalidOperationException("ResNet18.onnx (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18) is not in the NuGet cache; the build restores it.");

    /// <summary>A real photo as CNTK's input: 224x224 BGR pixels, 0..255, minus the ImageNet mean's average.</summary>
    private static float[] AstronautBgr224()
    {
        using var img = Cv2.ImRead(TestData.Shared("photos/astronaut.png"), ImreadModes.Color);
        using var small = img.Resize(new OpenCvSharp.Size(224, 224), interpolation: InterpolationFlags.Area);
        var x = new float[3 * 224 * 224];
        for (int y = 0; y < 224; y++)
            for (int c = 0; c < 224; c++)
            {
                var p = small.At<Vec3b>(y, c);
                for (int ch = 0; ch < 3; ch++) x[ch * 224 * 224 + y * 224 + c] = p[ch] - 114.8f;
            }
        return x;
    }

    [Fact]
    public void The_imported_CNTK_resnet18_gives_onnx_runtimes_features_on_a_real_photo()
    {
        var input = AstronautBgr224();
        float[] expected;
        using (var session = new InferenceSession(ResNet18Path))
        {
            var name = session.InputMetadata.Keys.Single();
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, [1, 3, 224, 224]))]);
            expected = results.First().AsTensor<float>().ToArray();
        }
        Assert.Equal(512, expected.Length);

        var spec = OnnxBackbones.Spec(OnnxBackbones.CntkResNet18, inputSize: 224);
        Assert.Equal(22, spec.Layers[0].Graph!.Nodes.Count(n => n.Op == "Conv")); // not torchvision's 20 + 3 shortcuts
        using var network = ModelBuilder.Build(spec, 7, out var summary);
        var loaded = OnnxBackbones.LoadWeights(network, spec, OnnxBackbones.ImageNetWeights);
        Assert.Equal(22 * 1 + 22 * 4, loaded.TensorsLoaded); // 22 conv weights (no biases), 22 batch norms x 4
        Assert.Equal("512x1x1", summary.Layers[0].OutputShape);
        network.eval();
        var graph = network.modules().OfType<OnnxGraphModule>().Single();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var actual = graph.forward(torch.tensor(input, [1, 3, 224, 224])).flatten().data<float>().ToArray();

        float scale = expected.Max(Math.Abs);
        float worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(scale > 0.1f, $"features all near zero (max {scale}): not a real network output");
        Assert.True(worst <= 1e-4f * Math.Max(1f, scale), $"max |Mien - ONNX Runtime| = {worst} over 512 features (largest feature {scale})");
    }

    [Fact]
    public void Fine_tuning_the_imagenet_resnet18_on_ck_plus_lowers_the_loss_and_the_saved_model_needs_no_onnx_file()
    {
        using var tmp = TestData.NewTempDir();
        var data = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { Limit = 240, ImageSize = 64 });
        var split = Splitter.HoldOut(data, 0.25, seed: 3);
        var spec = ModelZoo.GetSpec(OnnxBackbones.CntkResNet18);
        Assert.Equal(64, spec.InputSize);
        var options = new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 1, Threads = 1, LearningRate = 1e-3, PretrainedWeights = OnnxBackbones.ImageNetWeights };
        var result = new Trainer(options).Fit(data, split, spec);

        var losses = result.History.Select(h => h.TrainLoss).ToArray();
        Assert.True(losses[^1] < losses[0] * 0.9, $"train loss did not fall: {string.Join(" -> ", losses.Select(l => l.ToString("F3")))}");
        Assert.Equal(1f / 255, result.Model.Metadata.Std, 1e-6f); // CNTK's 0..255 inputs, not ImageNet's torchvision statistics

        var faces = split.Validation.Take(4).SelectMany(i => data.Image(i).ToArray()).ToArray();
        result.Model.Network.eval();
        var live = result.Model.PredictProbabilities(faces, 4);
        result.Model.Save(tmp["r18.mien"]);
        // The graph's topology travels in the model's spec: loading needs neither ResNet18.onnx nor the package.
        string? saved = Environment.GetEnvironmentVariable(OnnxBackbones.ResNet18PathVariable);
        Environment.SetEnvironmentVariable(OnnxBackbones.ResNet18PathVariable, tmp["nowhere.onnx"]);
        try
        {
            using var again = EmotionModel.Load(tmp["r18.mien"], InferencePrecision.Float32); // compiled; fp32 so it matches the live network to 1e-4
            var probs = again.PredictProbabilities(faces, 4);
            for (int i = 0; i < 4; i++) for (int k = 0; k < live[i].Length; k++) Assert.Equal(live[i][k], probs[i][k], 1e-4f);
        }
        finally { Environment.SetEnvironmentVariable(OnnxBackbones.ResNet18PathVariable, saved); }
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void An_onnx_file_with_an_unsupported_operator_is_refused_naming_the_node()
    {
        using var tmp = TestData.NewTempDir();
        var model = TinyModel("LRN");
        File.WriteAllBytes(tmp["lrn.onnx"], model.ToByteArray());
        var e = Assert.Throws<ModelFormatException>(() => ModelZoo.GetSpec(tmp["lrn.onnx"]));
        Assert.Contains("lrn.onnx", e.Message);
        Assert.Contains("node 1 (LRN", e.Message);
        Assert.Contains("Conv", e.Message); // lists what is supported

        File.WriteAllBytes(tmp["junk.onnx"], [1, 2, 3, 4, 5, 0xff, 0xff]);
        var junk = Assert.Throws<ModelFormatException>(() => ModelZoo.GetSpec(tmp["junk.onnx"]));
        Assert.Contains("junk.onnx", junk.Message);
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void A_small_onnx_cnn_imports_trains_and_a_weight_file_that_does_not_fit_lists_the_tensors()
    {
        using var tmp = TestData.NewTempDir();
        File.WriteAllBytes(tmp["tiny.onnx"], TinyModel("Relu").ToByteArray());
        var spec = ModelZoo.GetSpec(tmp["tiny.onnx"]) with { InputSize = 48 };
        Assert.Equal("tiny", spec.Name);
        Assert.Equal(1, spec.Layers[0].Graph!.InputChannels); // a grey network: no RGB replication
        Assert.Equal(spec.ToJson(), ModelSpec.FromJson(spec.ToJson()).ToJson());
        using var net = ModelBuilder.Build(spec, 3, out var summary);
        OnnxBackbones.LoadWeights(net, spec, tmp["tiny.onnx"]);
        var graph = net.modules().OfType<OnnxGraphModule>().Single();
        Assert.Equal(0.5f, graph.Weights.Single(w => w.Initializer == "W").Target.mean().item<float>(), 1e-6f);
        // Asymmetric pads [1,1,0,0] with stride 2 on 48: (48 + 1 - 3) / 2 + 1 = 24.
        Assert.Equal("4x24x24", summary.Layers[0].OutputShape);

        var other = TinyModel("Relu");
        other.Graph.Initializer[0].Dims[0] = 8; // W as 8 filters
        other.Graph.Initializer[0].RawData = ByteString.CopyFrom(new byte[8 * 1 * 3 * 3 * 4]);
        other.Graph.Initializer.RemoveAt(1);    // no bias
        File.WriteAllBytes(tmp["other.onnx"], other.ToByteArray());
        var e = Assert.Throws<MienException>(() => OnnxBackbones.LoadWeights(net, spec, tmp["other.onnx"]));
        Assert.Contains("1 missing: B", e.Message);
        Assert.Contains("mis-shaped: W (file 8x1x3x3, network 4x1x3x3)", e.Message);
    }

    /// <summary>x (1x1xHxW) -> Conv 4 3x3 stride 2 pads [1,1,0,0] (W = 0.5, B = 0) -> op -> y.</summary>
    private static ModelProto TinyModel(string op)
    {
        static ValueInfoProto Value(string name) => new()
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        };
        static TensorProto Init(string name, long[] dims, float value)
        {
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.AddRange(dims);
            var values = Enumerable.Repeat(value, (int)dims.Aggregate(1L, (a, d) => a * d)).ToArray();
            var bytes = new byte[values.Length * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            t.RawData = ByteString.CopyFrom(bytes);
            return t;
        }
        var conv = new NodeProto { OpType = "Conv", Name = "conv" };
        conv.Input.AddRange(["x", "W", "B"]);
        conv.Output.Add("c");
        conv.Attribute.Add(new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 2, 2 } });
        conv.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 0, 0 } });
        var act = new NodeProto { OpType = op, Name = "act" };
        act.Input.Add("c");
        act.Output.Add("y");
        var graph = new GraphProto { Name = "tiny" };
        graph.Node.AddRange([conv, act]);
        graph.Input.Add(Value("x"));
        graph.Output.Add(Value("y"));
        graph.Initializer.AddRange([Init("W", [4, 1, 3, 3], 0.5f), Init("B", [4], 0f)]);
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "mien-test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 17 });
        return model;
    }
}

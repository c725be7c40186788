using Microsoft.ML.OnnxRuntime;
using Mien.Evaluation;
using Mien.Experiments;
using Mien.Inference;
using Mien.Models;
using Mien.Models.Onnx;
using Onnx;
using Xunit.Abstractions;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Mien.Tests.Models;

/// <summary>
/// int8 QDQ quantisation (OnnxQuantizer) of the bundled model, calibrated on FER2013 train faces, checked against its
/// float32 export on a fixed subset of 1,000 PublicTest faces (<see cref="BundledInt8"/>), in ONNX Runtime.
/// </summary>
public class OnnxQuantizerTests(ITestOutputHelper output)
{
    private static float[][] Run(string path, byte[] pixels, int count)
    {
        using var p = new OnnxPredictor(File.ReadAllBytes(path));
        return p.PredictProbabilities(pixels, count);
    }

    [Fact]
    public void The_int8_graph_keeps_the_float32_accuracy_within_half_a_point_on_1000_publictest_faces()
    {
        using var model = DefaultModel.Load(InferencePrecision.Float32);
        var d = BundledInt8.PublicTest1000;
        Assert.Equal(1000, d.Count);
        Assert.All(d.Splits, s => Assert.Equal("test", s));
        var fp32 = DatasetEvaluation.RunOnnx(model, BundledInt8.Fp32Path, d, "test").Report;
        var int8 = DatasetEvaluation.RunOnnx(model, BundledInt8.Int8Path, d, "test").Report;
        output.WriteLine($"FER2013 PublicTest, fixed subset of {fp32.Count} faces: ONNX float32 {fp32.Accuracy:P2}, ONNX int8 {int8.Accuracy:P2} " +
                         $"(balanced {fp32.BalancedAccuracy:P2} / {int8.BalancedAccuracy:P2}); {BundledInt8.Summary.Description}");
        Assert.Equal(1000, fp32.Count);
        Assert.True(fp32.Accuracy > 0.5, $"float32 accuracy {fp32.Accuracy:P2}: not the trained model?");
        Assert.InRange(int8.Accuracy - fp32.Accuracy, -0.005, 0.005);
    }

    [Fact]
    public void The_int8_graph_picks_the_float32_top_class_on_real_faces()
    {
        var d = BundledInt8.PublicTest1000;
        var p32 = Run(BundledInt8.Fp32Path, d.Pixels, d.Count);
        var p8 = Run(BundledInt8.Int8Path, d.Pixels, d.Count);
        int agree = Enumerable.Range(0, d.Count).Count(i => Evaluator.ArgMax(p32[i]) == Evaluator.ArgMax(p8[i]));
        double maxDiff = p32.Zip(p8).Max(x => x.First.Zip(x.Second).Max(y => Math.Abs(y.First - y.Second)));
        double meanDiff = p32.Zip(p8).Average(x => x.First.Zip(x.Second).Average(y => Math.Abs(y.First - y.Second)));
        output.WriteLine($"{d.Count} PublicTest faces: same top class on {agree} ({agree / (double)d.Count:P1}); |p int8 - p fp32| mean {meanDiff:E2}, max {maxDiff:F3}");
        Assert.True(agree >= 0.97 * d.Count, $"int8 agrees with float32 on only {agree}/{d.Count} faces");
        Assert.True(meanDiff < 0.02, $"mean probability difference {meanDiff:F4}");
    }

    [Fact]
    public void The_int8_file_is_qdq_with_per_channel_int8_weights_and_under_a_third_of_the_float32_size()
    {
        long fp32Size = new FileInfo(BundledInt8.Fp32Path).Length, int8Size = new FileInfo(BundledInt8.Int8Path).Length;
        output.WriteLine($"float32 {fp32Size / 1024.0:N0} KB, int8 {int8Size / 1024.0:N0} KB ({int8Size / (double)fp32Size:P1})");
        Assert.True(int8Size < fp32Size / 3, $"int8 file {int8Size} bytes against {fp32Size}");

        var m = ModelProto.Parser.ParseFrom(File.ReadAllBytes(BundledInt8.Int8Path));
        var g = m.Graph;
        var inits = g.Initializer.ToDictionary(t => t.Name);
        var producer = g.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(x => x.o, x => x.n);
        var ops = g.Node.Where(n => n.OpType is "Conv" or "Gemm").ToList();
        Assert.Equal(8, ops.Count); // vgg-small: 6 convolutions, dense 256, the classifier
        Assert.Equal(ops.Count, BundledInt8.Summary.QuantizedOperators);
        foreach (var op in ops)
        {
            // Input, weight and bias each come from a DequantizeLinear; the weight's is int8, one scale per output channel, zero points 0.
            Assert.All(op.Input, i => Assert.Equal("DequantizeLinear", producer[i].OpType));
            var wdq = producer[op.Input[1]];
            var w = inits[wdq.Input[0]];
            Assert.Equal((int)DataType.Int8, w.DataType);
            Assert.Equal(0, wdq.Attribute.Single(a => a.Name == "axis").I);
            Assert.Equal(w.Dims[0], inits[wdq.Input[1]].Dims.Single());
            Assert.All(inits[wdq.Input[2]].RawData.ToByteArray(), z => Assert.Equal(0, z));
            Assert.Equal((int)DataType.Int32, inits[producer[op.Input[2]].Input[0]].DataType);
            // The activation input is a QuantizeLinear -> DequantizeLinear pair of uint8.
            var adq = producer[op.Input[0]];
            Assert.Equal("QuantizeLinear", producer[adq.Input[0]].OpType);
            Assert.Equal((int)DataType.Uint8, inits[adq.Input[2]].DataType);
        }
        Assert.Equal(BundledInt8.Summary.QuantizedActivations, g.Node.Count(n => n.OpType == "QuantizeLinear"));
        Assert.Equal(BundledInt8.Summary.QuantizedActivations + 2 * ops.Count, g.Node.Count(n => n.OpType == "DequantizeLinear"));
        // No float32 weight tensor is left, and the end stays float32: the classifier writes the logits directly, softmax reads them.
        Assert.DoesNotContain(g.Initializer, t => t.DataType == (int)DataType.Float && t.Dims.Aggregate(1L, (a, b) => a * b) > 256);
        Assert.Equal(OnnxContract.LogitsName, ops[^1].Output.Single());
        Assert.Equal("Softmax", producer[OnnxContract.ProbabilitiesName].OpType);
        Assert.DoesNotContain(g.Node, n => n.OpType == "Relu"); // each ReLU folded into its producer's uint8 range
        Assert.Contains(m.MetadataProps, p => p.Key == OnnxContract.QuantizationKey && p.Value.Contains("500 faces"));
        Assert.Contains(m.MetadataProps, p => p.Key == OnnxContract.ClassNamesKey);
    }

    [Fact]
    public void Onnx_runtime_fuses_the_qdq_groups_into_quantised_operators()
    {
        using var tmp = TestData.NewTempDir();
        using (var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = tmp["optimized.onnx"] })
        using (new InferenceSession(BundledInt8.Int8Path, so)) { }
        var ops = ModelProto.Parser.ParseFrom(File.ReadAllBytes(tmp["optimized.onnx"])).Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine("after ONNX Runtime's optimisations: " + string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")));
        Assert.Equal(6, ops.GetValueOrDefault("QLinearConv"));
        Assert.Equal(2, ops.GetValueOrDefault("QGemm")); // dense 256 and the classifier (float32 logits out)
        Assert.False(ops.ContainsKey("Conv") || ops.ContainsKey("Gemm"), "a float convolution or dense layer is left");
    }

    public static TheoryData<string> Presets() => [.. ModelZoo.Names];

    /// <summary>Every preset's graph (separable convolutions, residual Adds, strided Slices): quantised, fused by ONNX Runtime, close to float32.</summary>
    [Theory]
    [MemberData(nameof(Presets))]
    public void Each_preset_quantises_into_a_graph_onnx_runtime_fuses_and_that_stays_close_to_float32(string preset)
    {
        using var model = OnnxExportTests.RandomModel(ModelZoo.GetSpec(preset));
        using var tmp = TestData.NewTempDir();
        var d = BundledInt8.PublicTest1000;
        const int n = 200;
        var faces = d.Pixels.AsSpan(0, n * 48 * 48).ToArray();
        OnnxExporter.Export(model, tmp["f.onnx"]);
        var summary = OnnxQuantizer.ExportInt8(model, tmp["q.onnx"], faces, "PublicTest (structure test)");
        int convs = ModelProto.Parser.ParseFrom(File.ReadAllBytes(tmp["f.onnx"])).Graph.Node.Count(x => x.OpType == "Conv");
        using (var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = tmp["o.onnx"] })
        using (new InferenceSession(tmp["q.onnx"], so)) { }
        var fused = ModelProto.Parser.ParseFrom(File.ReadAllBytes(tmp["o.onnx"])).Graph.Node.Count(x => x.OpType == "QLinearConv");
        var p32 = Run(tmp["f.onnx"], faces, n);
        var p8 = Run(tmp["q.onnx"], faces, n);
        double maxDiff = p32.Zip(p8).Max(x => x.First.Zip(x.Second).Max(y => Math.Abs(y.First - y.Second)));
        int agree = Enumerable.Range(0, n).Count(i => Evaluator.ArgMax(p32[i]) == Evaluator.ArgMax(p8[i]));
        output.WriteLine($"{preset}: {summary.QuantizedOperators} operators, {summary.QuantizedActivations} activations; {fused}/{convs} convolutions fused; " +
                         $"max |p diff| {maxDiff:F4}, same top class {agree}/{n}");
        Assert.Equal(convs, fused);
        Assert.True(maxDiff < 0.1, $"max probability difference {maxDiff:F4}");
    }

    [Fact]
    public void Percentile_calibration_writes_a_graph_that_agrees_with_float32()
    {
        using var model = DefaultModel.Load(InferencePrecision.Float32);
        using var tmp = TestData.NewTempDir();
        var faces = Int8Export.LoadCalibrationFaces(TestData.Fer2013Zip, 48, 200);
        var summary = OnnxQuantizer.ExportInt8(model, tmp["p.onnx"], faces.Pixels, "fer2013 train", new OnnxQuantizationOptions { Method = OnnxCalibrationMethod.Percentile, Percentile = 99.99 });
        Assert.Equal(200, summary.CalibrationFaces);
        Assert.Contains("percentile 99.99", summary.Description);
        var d = BundledInt8.PublicTest1000;
        var faces300 = d.Pixels.AsSpan(0, 300 * 48 * 48).ToArray();
        var p32 = Run(BundledInt8.Fp32Path, faces300, 300);
        var p8 = Run(tmp["p.onnx"], faces300, 300);
        int agree = Enumerable.Range(0, 300).Count(i => Evaluator.ArgMax(p32[i]) == Evaluator.ArgMax(p8[i]));
        output.WriteLine($"percentile 99.99 on 200 faces: same top class on {agree}/300");
        Assert.True(agree >= 0.95 * 300, $"{agree}/300");
    }

    [Fact]
    public void Calibration_faces_come_from_the_training_split_only()
    {
        var faces = Int8Export.LoadCalibrationFaces(TestData.Fer2013Zip, 48, 300);
        Assert.Equal(300, faces.Count);
        Assert.All(faces.Splits, s => Assert.Equal("train", s));
        Assert.True(faces.ClassCounts().Count(c => c > 0) >= 6, "the faces should spread over the classes");
    }

    [Fact]
    public void A_missing_calibration_dataset_is_an_error_naming_it()
    {
        using var model = DefaultModel.Load(InferencePrecision.Float32);
        using var tmp = TestData.NewTempDir();
        var e = Assert.Throws<Mien.Data.MienDataException>(() => Int8Export.Run(model, tmp["x.onnx"], tmp["no-such-data.zip"]));
        Assert.Contains("Calibration data", e.Message);
        Assert.Contains("no-such-data.zip", e.Message);
        Assert.False(File.Exists(tmp["x.onnx"]));
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Activation_ranges_become_uint8_scales_and_zero_points_that_include_zero()
    {
        var (s, z) = OnnxQuantizer.UInt8Params((-1f, 3f));
        Assert.Equal(4f / 255, s, 1e-7f);
        Assert.Equal(64, z); // -(-1)/(4/255) = 63.75
        (s, z) = OnnxQuantizer.UInt8Params((0.5f, 2f)); // a ReLU's range: 0 stays exact
        Assert.Equal(2f / 255, s, 1e-7f);
        Assert.Equal(0, z);
        Assert.Equal((1f, (byte)0), OnnxQuantizer.UInt8Params((0f, 0f)));
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Calibration_faces_of_the_wrong_size_are_refused()
    {
        using var model = DefaultModel.Load(InferencePrecision.Float32);
        var e = Assert.Throws<ArgumentException>(() => OnnxQuantizer.ExportInt8(model, Path.Combine(Path.GetTempPath(), "never.onnx"), new byte[1000], "x"));
        Assert.Contains("48x48", e.Message);
    }
}

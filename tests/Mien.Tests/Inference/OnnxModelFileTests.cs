using Mien.Inference;
using Mien.Models;
using Mien.Models.Onnx;
using Mien.Models.Presets;
using Mien.Tests.Models;
using Xunit.Abstractions;

namespace Mien.Tests.Inference;

/// <summary>RecognizerOptions.OnnxModel: the ONNX backend running an exported file (the int8 one) instead of exporting in memory.</summary>
public class OnnxModelFileTests(ITestOutputHelper output)
{
    [Fact]
    public void The_onnx_backend_runs_the_int8_file_and_names_the_float32_emotions_on_real_faces()
    {
        var d = BundledInt8.PublicTest1000;
        const int n = 300;
        var faces = d.Pixels.AsSpan(0, n * 48 * 48).ToArray();
        using var fp32 = EmotionRecognizer.LoadDefault(new RecognizerOptions { Backend = InferenceBackend.Onnx });
        using var int8 = EmotionRecognizer.LoadDefault(new RecognizerOptions { Backend = InferenceBackend.Onnx, OnnxModel = BundledInt8.Int8Path });
        var a = fp32.PredictCrops(faces, n);
        var b = int8.PredictCrops(faces, n);
        int agree = a.Zip(b).Count(x => x.First.Emotion == x.Second.Emotion);
        output.WriteLine($"same emotion on {agree}/{n} PublicTest crops");
        Assert.True(agree >= 0.97 * n, $"{agree}/{n}");

        var photo = int8.Predict(TestData.Shared("photos/astronaut.png"));
        Assert.Equal("happy", Assert.Single(photo.Faces).Emotion);
        // A variant with other detection options keeps the file.
        using var variant = int8.WithOptions(new RecognizerOptions { FlipAverage = true });
        Assert.Equal(BundledInt8.Int8Path, variant.Options.OnnxModel);
        Assert.Equal("happy", Assert.Single(variant.Predict(TestData.Shared("photos/astronaut.png")).Faces).Emotion);
    }

    [Fact]
    public void An_onnx_file_with_the_torch_backend_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => EmotionRecognizer.LoadDefault(new RecognizerOptions { OnnxModel = BundledInt8.Int8Path }));
        Assert.Contains("Backend = InferenceBackend.Onnx", e.Message);
    }

    [Fact]
    public void The_export_of_another_model_is_refused_naming_both()
    {
        using var tmp = TestData.NewTempDir();
        using (var other = EmotionModel.Create(VggSmallPreset.Spec, ["calm", "excited", "bored"], 0.5f, 0.25f))
        {
            other.Network.eval();
            OnnxExporter.Export(other, tmp["other.onnx"]);
        }
        var e = Assert.Throws<InvalidDataException>(() => EmotionRecognizer.LoadDefault(new RecognizerOptions { Backend = InferenceBackend.Onnx, OnnxModel = tmp["other.onnx"] }));
        Assert.Contains("calm", e.Message);
        Assert.Contains("is not an export of", e.Message);
        Assert.Throws<FileNotFoundException>(() => EmotionRecognizer.LoadDefault(new RecognizerOptions { Backend = InferenceBackend.Onnx, OnnxModel = tmp["missing.onnx"] }));
    }
}

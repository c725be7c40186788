using TorchSharp;
using TorchSharp.PyBridge;

namespace Mien.Tests.Cli;

/// <summary>Backbones from the command line: listed by <c>mien models</c>, trained with <c>--image-size</c> and <c>--weights</c>.</summary>
public class BackboneCliTests
{
    [Fact]
    public void Train_a_backbone_at_the_image_size_asked_for_from_a_weights_file()
    {
        using var tmp = TestData.NewTempDir();
        using (var tv = torchvision.models.mobilenet_v3_small()) tv.save_py(tmp["mnv3.pth"]);
        var (exit, output, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--limit", "120", "--epochs", "1", "--batch-size", "16",
            "--model", "mobilenet_v3_small", "--image-size", "64", "--weights", tmp["mnv3.pth"], "--out", tmp["run"], "--quiet", "--threads", "1");
        Assert.True(exit == 0, err + output);
        using var model = Mien.Models.EmotionModel.Load(Path.Combine(tmp["run"], "best.mien"));
        Assert.Equal(64, model.InputSize);
        Assert.Equal("mobilenet_v3_small", model.Metadata.Spec.Name);
    }

    [Fact]
    public void Weights_that_do_not_fit_and_weights_for_a_preset_are_one_line_errors()
    {
        using var tmp = TestData.NewTempDir();
        using (var tv = torchvision.models.mobilenet_v3_small()) tv.save_py(tmp["mnv3.pth"]);
        var (exit, _, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--limit", "60", "--epochs", "1", "--model", "resnet18", "--weights", tmp["mnv3.pth"], "--out", tmp["a"]);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", err.Trim());
        Assert.Contains("not a torchvision resnet18 state dict", err);
        Assert.Contains("unexpected: classifier.0.bias", err); // a MobileNet file: its classifier is not a ResNet's fc
        Assert.Contains("features.0.0.weight", err);
        Assert.DoesNotContain("   at ", err); // no stack trace
        Assert.False(Directory.Exists(tmp["a"])); // refused before the run folder is made

        (exit, _, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--limit", "60", "--epochs", "1", "--weights", tmp["mnv3.pth"], "--out", tmp["b"]);
        Assert.Equal(1, exit);
        Assert.Contains("'vgg-small' has none", err);

        (exit, _, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--limit", "60", "--model", "inception_v3", "--image-size", "48");
        Assert.Equal(1, exit);
        Assert.Contains("at least 75x75", err);
    }

    [Fact]
    public void Models_lists_the_backbones_and_shows_one_at_another_size()
    {
        var (exit, output, err) = CliRunner.Run("models", "--show", "resnet18", "--image-size", "96");
        Assert.Equal(0, exit);
        Assert.Contains("backbone resnet18 (torchvision)", err); // the layer table is on stderr, the spec JSON alone on stdout
        Assert.Contains("512x3x3", err);
        (exit, output, _) = CliRunner.Run("models", "--names");
        Assert.DoesNotContain("resnet18", output);
    }
}

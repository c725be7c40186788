namespace Mien.Tests.Cli;

/// <summary><c>mien export --int8</c> and <c>--onnx-model</c> from the command line.</summary>
public class ExportInt8CliTests
{
    [Fact]
    public void A_bad_calibration_dataset_path_fails_in_one_line_naming_it_and_writes_nothing()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, _, err) = CliRunner.Run("export", "--onnx", tmp["m.onnx"], "--int8", "--calibration-data", tmp["nowhere/fer.zip"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("Calibration data", err);
        Assert.Contains("nowhere", err);
        Assert.DoesNotContain("   at ", err); // no stack trace
        Assert.False(File.Exists(tmp["m.onnx"]));
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Int8_without_calibration_data_or_without_onnx_is_refused()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, _, err) = CliRunner.Run("export", "--onnx", tmp["m.onnx"], "--int8");
        Assert.NotEqual(0, exit);
        Assert.Contains("--calibration-data", err);
        (exit, _, err) = CliRunner.Run("export", "--pytorch", tmp["m.pt"], "--int8", "--calibration-data", "x.zip");
        Assert.NotEqual(0, exit);
        Assert.Contains("--onnx", err);
        (exit, _, err) = CliRunner.Run("export", "--onnx", tmp["m.onnx"], "--calibration-data", "x.zip");
        Assert.NotEqual(0, exit);
        Assert.Contains("--int8", err);
        Assert.False(File.Exists(tmp["m.onnx"]));
    }

    [Fact]
    public void An_int8_export_then_predicts_with_onnx_model_and_evaluates()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, output, err) = CliRunner.Run("export", "--onnx", tmp["m.int8.onnx"], "--int8", "--calibration-data", TestData.Fer2013Zip, "--calibration-count", "100");
        Assert.True(exit == 0, err);
        Assert.Contains("as int8", output);
        Assert.Contains("on 100 faces", output);
        (exit, output, err) = CliRunner.Run("predict", TestData.Shared("photos/astronaut.png"), "--onnx-model", tmp["m.int8.onnx"], "--format", "jsonl");
        Assert.True(exit == 0, err);
        Assert.Contains("\"happy\"", output);
        (exit, _, err) = CliRunner.Run("predict", TestData.Shared("photos/astronaut.png"), "--onnx-model", tmp["m.int8.onnx"], "--backend", "torch");
        Assert.NotEqual(0, exit);
        Assert.Contains("InferenceBackend.Onnx", err);
        (exit, output, err) = CliRunner.Run("evaluate", "--data", TestData.Fer2013PublicTestZip, "--limit", "300", "--onnx-model", tmp["m.int8.onnx"]);
        Assert.True(exit == 0, err);
        Assert.Contains("ONNX Runtime on", output);
        Assert.Contains("accuracy", output);
    }
}

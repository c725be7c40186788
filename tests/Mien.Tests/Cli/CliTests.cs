namespace Mien.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Info_prints_counts_subjects_and_problems()
    {
        var (exit, output, _) = CliRunner.Run("info", "--data", TestData.CkPlusZip);
        Assert.Equal(0, exit);
        Assert.Contains("981", output);
        Assert.Contains("118", output);
        Assert.Contains("contempt", output);
        Assert.Contains("problems  none", output);
    }

    [Fact]
    public void Models_lists_presets_with_costs()
    {
        var (exit, output, _) = CliRunner.Run("models");
        Assert.Equal(0, exit);
        Assert.Contains("vgg-small*", output);
        Assert.Contains("mini-xception", output);
        Assert.Contains("seed", output);
    }

    [Theory]
    [InlineData("info", "--data", "/no/such/place.zip")]
    [InlineData("train", "--data", "/no/such/place.zip")]
    public void Missing_dataset_exits_non_zero_naming_it(params string[] args)
    {
        var (exit, _, err) = CliRunner.Run(args);
        Assert.Equal(1, exit);
        Assert.Contains("/no/such/place.zip", err);
    }

    [Fact]
    public void Missing_initial_model_and_freeze_without_one_exit_non_zero_with_the_reason()
    {
        var (exit, _, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--init-from", "/nope/fer.mien", "--epochs", "1");
        Assert.Equal(1, exit);
        Assert.Contains("/nope/fer.mien", err);
        (exit, _, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--freeze-features", "--epochs", "1", "--limit", "100");
        Assert.Equal(1, exit);
        Assert.Contains("initial model", err);
    }

    [Fact]
    public void Unknown_preset_exits_non_zero()
    {
        var (exit, _, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--model", "nonet");
        Assert.Equal(1, exit);
        Assert.Contains("Unknown model preset 'nonet'", err);
    }

    [Fact]
    public void Unknown_training_precision_exits_non_zero_naming_the_choices()
    {
        var (exit, _, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--precision", "fp8", "--epochs", "1");
        Assert.Equal(1, exit);
        Assert.Contains("--precision 'fp8'", err);
        Assert.Contains("fp32 or bf16", err);
    }

    [Fact]
    public void Malformed_layer_spec_exits_non_zero_naming_the_file()
    {
        using var tmp = TestData.NewTempDir();
        File.WriteAllText(tmp["bad.json"], "{ \"layers\": [ { \"type\": \"conv2d\", \"filters\": -3 } ] }");
        var (exit, _, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--model", tmp["bad.json"]);
        Assert.Equal(1, exit);
        Assert.Contains("bad.json", err);
        Assert.Contains("filters", err);
    }

    [Fact]
    public void Train_then_evaluate_end_to_end_on_a_ckplus_subset()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, output, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--limit", "300", "--epochs", "2", "--model", "mini-xception", "--out", tmp["run"], "--seed", "3");
        Assert.True(exit == 0, err);
        Assert.Contains("grouped by subject", output);
        Assert.Contains("images/s", output);
        Assert.True(File.Exists(tmp["run/best.mien"]));
        Assert.True(File.Exists(tmp["run/metrics.json"]));
        var (exit2, output2, err2) = CliRunner.Run("evaluate", "--model", tmp["run/best.mien"], "--data", TestData.CkPlusZip, "--limit", "100");
        Assert.True(exit2 == 0, err2);
        Assert.Contains("macro-F1", output2);
        // An ensemble of a model with itself scores what the model scores; one with the bundled model (which lacks CK+'s
        // contempt) is refused, naming the class.
        var (exit3, output3, err3) = CliRunner.Run("evaluate", "--model", tmp["run/best.mien"], "--model", tmp["run/best.mien"], "--data", TestData.CkPlusZip, "--limit", "100");
        Assert.True(exit3 == 0, err3);
        Assert.Contains("ensemble of", output3);
        string Accuracy(string o) => System.Text.RegularExpressions.Regex.Match(o, @"accuracy [0-9.]+ %").Value;
        Assert.NotEqual("", Accuracy(output2));
        Assert.Equal(Accuracy(output2), Accuracy(output3));
        var (exit4, _, err4) = CliRunner.Run("evaluate", "--model", tmp["run/best.mien"], "--model", Path.Combine(TestData.RepoRoot, "models", "mien-default.mien"), "--data", TestData.CkPlusZip, "--limit", "100");
        Assert.Equal(1, exit4);
        Assert.Contains("no class 'contempt'", err4);
    }

    [Fact]
    public void Help_is_available_on_every_command()
    {
        foreach (var cmd in new[] { "info", "models", "train", "evaluate", "calibrate", "cv", "predict", "explain", "video", "export", "serve" })
        {
            var (exit, output, _) = CliRunner.Run(cmd, "--help");
            Assert.Equal(0, exit);
            Assert.Contains("Usage", output);
        }
    }
}

using Mien.Models;

namespace Mien.Tests.Cli;

/// <summary><c>mien calibrate</c> on the bundled model and FER2013 PublicTest faces.</summary>
public class CalibrationCommandTests
{
    private static string BundledModel => Path.Combine(TestData.RepoRoot, "models", "mien-default.mien");

    [Fact]
    public void Calibrate_saves_a_model_with_the_fitted_temperature_and_a_reliability_diagram()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, output, err) = CliRunner.Run("calibrate", "--model", BundledModel, "--data", TestData.Fer2013PublicTestZip, "--limit", "600",
                                                "--out", tmp["calibrated.mien"], "--plot", tmp["plots/reliability.png"]);
        Assert.True(exit == 0, err);
        Assert.Contains("[test]", output); // no validation split: the test split is the default
        var parts = System.Text.RegularExpressions.Regex.Match(output, @"fitted on (\d+) images, measured on the other (\d+)");
        Assert.True(parts.Success, output);
        Assert.Equal(600, int.Parse(parts.Groups[1].Value) + int.Parse(parts.Groups[2].Value));
        Assert.Contains("ECE (15 bins)", output);
        using var model = EmotionModel.Load(tmp["calibrated.mien"]);
        Assert.NotEqual(1, model.Metadata.Temperature);
        Assert.Contains($"temperature {model.Metadata.Temperature:0.####}", output);
        var png = File.ReadAllBytes(tmp["plots/reliability.png"]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    [Fact]
    public void Calibrate_balance_stores_a_prior_correction_and_reports_the_balanced_accuracy()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, output, err) = CliRunner.Run("calibrate", "--model", BundledModel, "--data", TestData.Fer2013PublicTestZip, "--limit", "1200",
                                                "--balance", "--out", tmp["balanced.mien"]);
        Assert.True(exit == 0, err);
        Assert.Contains("balanced accuracy", output);
        var tau = System.Text.RegularExpressions.Regex.Match(output, @"prior correction tau (-?[\d.]+)\)");
        Assert.True(tau.Success, output);
        using var model = EmotionModel.Load(tmp["balanced.mien"]);
        // tau 0 (no gain on these faces) stores no bias; any other value stores one per class.
        if (tau.Groups[1].Value == "0") Assert.Null(model.Metadata.LogitBias);
        else Assert.Equal(model.ClassNames.Count, model.Metadata.LogitBias!.Count);
    }

    [Theory]
    [InlineData("/no/such/model.mien", "0.5", "auto", "/no/such/model.mien")]
    [InlineData(null, "1.5", "auto", "--fit-fraction must be between 0 and 1")]
    [InlineData(null, "0", "auto", "--fit-fraction must be between 0 and 1")]
    [InlineData(null, "0.5", "validation", "no 'validation' split")]
    [InlineData(null, "0.5", "train", "--split must be validation, test or all")]
    public void Bad_input_exits_1_with_the_reason(string? modelPath, string fraction, string split, string expected)
    {
        using var tmp = TestData.NewTempDir();
        var (exit, _, err) = CliRunner.Run("calibrate", "--model", modelPath ?? BundledModel, "--data", TestData.Fer2013PublicTestZip, "--limit", "100",
                                           "--fit-fraction", fraction, "--split", split, "--out", tmp["c.mien"]);
        Assert.Equal(1, exit);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(tmp["c.mien"]));
    }
}

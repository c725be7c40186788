using Mien.Data;
using Mien.Evaluation;
using Mien.Reporting;
using Mien.Tests.Cli;
using Mien.Training;
using OpenCvSharp;

namespace Mien.Tests.Reporting;

public class ReportTests
{
    private static readonly string[] TrainingPlotFiles =
        ["loss", "accuracy", "learning-rate", "confusion", "confusion-normalized", "per-class", "reliability", "mistakes"];

    [Fact]
    public void Train_writes_plots_and_a_self_contained_report_that_chromium_renders()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, output, err) = CliRunner.Run("train", "--data", TestData.CkPlusZip, "--limit", "300", "--epochs", "2", "--model", "seed",
            "--out", tmp["run"], "--seed", "3", "--quiet");
        Assert.True(exit == 0, err);
        Assert.Contains("report: ", output);
        foreach (var name in TrainingPlotFiles)
            Assert.True(File.Exists(tmp[$"run/plots/{name}.png"]), $"plots/{name}.png missing");

        string html = File.ReadAllText(tmp["run/report.html"]);
        var images = HtmlChecks.DecodeImages(html);
        Assert.Equal(TrainingPlotFiles.Length, images.Count);
        foreach (var needle in new[] { "Learning curves", "Most confident mistakes", "options.json", "\"epochs\": 2", "validation", "images/s", "seed", "validation ECE" })
            Assert.Contains(needle, html);

        using var shot = HtmlChecks.Screenshot(tmp["run/report.html"]);
        double coloured = HtmlChecks.ColouredShare(shot);
        // Measured: 1.8% of the page with the charts shown, 0.004% when every image is broken.
        Assert.True(coloured > 0.005, $"only {coloured:P2} of the rendered page is coloured: the charts did not render");
    }

    [Fact]
    public void Cv_writes_a_report_across_folds()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, output, err) = CliRunner.Run("cv", "--data", TestData.CkPlusZip, "--limit", "240", "--folds", "2", "--epochs", "1", "--model", "seed",
            "--out", tmp["cv"], "--seed", "3", "--quiet");
        Assert.True(exit == 0, err);
        Assert.Contains("report: ", output);
        foreach (var name in new[] { "folds", "fold-curves", "confusion", "confusion-normalized", "per-class" })
            Assert.True(File.Exists(tmp[$"cv/plots/{name}.png"]), $"plots/{name}.png missing");
        string html = File.ReadAllText(tmp["cv/report.html"]);
        Assert.Equal(5, HtmlChecks.DecodeImages(html).Count);
        Assert.Contains("mean ± std", html);
        Assert.Contains("Every fold trains with these settings", html);
        Assert.Contains("\"epochs\": 1", html);
    }

    [Fact]
    public void Plot_text_is_drawn_with_the_embedded_font()
    {
        // The fonts ship inside Mien.dll, so this holds on machines without any fonts package.
        var history = Enumerable.Range(1, 5).Select(e => new EpochMetrics(e, 2.0 / e, 0.2 * e, 2.2 / e, 0.15 * e, 1e-3 / e, 1, 100)).ToList();
        using var withText = Cv2.ImDecode(TrainingPlots.Loss(history, 3), ImreadModes.Grayscale);
        Assert.Equal(PlotFonts.Family, ScottPlot.Fonts.Default);
        var typeface = ScottPlot.Fonts.GetTypeface(PlotFonts.Family, bold: false, italic: false); // ScottPlot's cached copy: not ours to dispose
        Assert.Equal("DejaVu Sans", typeface.FamilyName);
        Assert.All(typeface.GetGlyphs("Loss epoch ±→%0123456789"), g => Assert.NotEqual(0, g));
        // The title band (top 30 px) holds dark title glyphs.
        using var title = withText[new Rect(0, 0, withText.Width, 30)];
        using var dark = new Mat();
        Cv2.Threshold(title, dark, 100, 255, ThresholdTypes.BinaryInv);
        Assert.True(Cv2.CountNonZero(dark) > 50, "the plot title was not drawn");
    }

    [Fact]
    public void Confusion_heatmap_scales_with_the_number_of_classes()
    {
        string[] names = ["anger", "happy", "sadness"];
        var report = ClassificationReport.From([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], names);
        using var png = Cv2.ImDecode(TrainingPlots.Confusion(report, normalize: true), ImreadModes.Color);
        Assert.True(png.Width >= 400 && png.Height >= 300);
    }

    [Fact]
    public void Mistake_gallery_shows_only_mistakes_most_confident_first()
    {
        var pixels = new byte[4 * 48 * 48];
        var data = new FaceDataset("test", ["anger", "happy"], 48, 48, pixels, [0, 0, 1, 1], new string?[4], new string?[4], ["a", "b", "c", "d"]);
        // Items 0 and 3 are right; 1 (90% wrong) and 2 (60% wrong) are mistakes.
        float[][] probs = [[0.9f, 0.1f], [0.1f, 0.9f], [0.6f, 0.4f], [0.2f, 0.8f]];
        using var grid = Cv2.ImDecode(MistakeGallery.Render(data, [0, 1, 2, 3], probs, data.ClassNames)!, ImreadModes.Color);
        Assert.Equal(2 * (96 + 16), grid.Width); // two tiles in one row
        Assert.Null(MistakeGallery.Render(data, [0, 3], [probs[0], probs[3]], data.ClassNames));
    }
}

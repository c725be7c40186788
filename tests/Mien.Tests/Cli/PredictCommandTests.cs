using System.Text.Json;

namespace Mien.Tests.Cli;

public class PredictCommandTests
{
    private static string Photo(string name) => TestData.Shared("photos/" + name);

    [Fact]
    public void Table_output_names_each_photo_and_exit_code_reports_partial_failure()
    {
        var (exit, output, err) = CliRunner.Run("predict", Photo("astronaut.png"), Photo("truncated.jpg"), Photo("coffee.png"));
        Assert.Equal(2, exit);
        Assert.Contains("astronaut.png", output);
        Assert.Contains("happy", output);
        Assert.Contains("truncated.jpg", output);
        Assert.Contains("error: ", output);
        Assert.Contains("no face found", output);
        Assert.Contains("1 of 3 input(s) failed", err);
    }

    [Fact]
    public void Good_inputs_exit_zero_even_without_faces()
    {
        var (exit, output, _) = CliRunner.Run("predict", Photo("coffee.png"));
        Assert.Equal(0, exit);
        Assert.Contains("no face found", output);
    }

    [Fact]
    public void Jsonl_output_is_one_parsable_object_per_image()
    {
        var (exit, output, _) = CliRunner.Run("predict", "--format", "jsonl", Photo("astronaut.png"), Photo("coffee.png"));
        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var doc = JsonDocument.Parse(lines[0]);
        var face = doc.RootElement.GetProperty("faces")[0];
        Assert.Equal("happy", face.GetProperty("emotion").GetString());
        Assert.Equal(7, face.GetProperty("probabilities").EnumerateObject().Count());
        Assert.Equal(512, doc.RootElement.GetProperty("width").GetInt32());
    }

    [Fact]
    public void Csv_output_has_a_header_and_a_row_per_face()
    {
        var (exit, output, _) = CliRunner.Run("predict", "--format", "csv", Photo("astronaut.png"));
        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("file,face,x,y,width,height,emotion,confidence,anger", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Equal(lines[0].Split(',').Length, lines[1].Split(',').Length);
        Assert.EndsWith(",found,error", lines[0]);
        Assert.EndsWith(",detected,", lines[1]);
    }

    [Fact]
    public void Csv_error_rows_have_every_column()
    {
        var (_, output, _) = CliRunner.Run("predict", "--format", "csv", Photo("truncated.jpg"));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines[0].Split(',').Length, lines[1].Split(',').Length);
    }

    [Fact]
    public void A_tight_face_crop_is_found_and_says_how_unless_the_fallback_is_off()
    {
        using var tmp = TestData.NewTempDir();
        var crops = Mien.Tests.Inference.TightCrops.CkPlus("happy", 1);
        try { OpenCvSharp.Cv2.ImWrite(tmp["tight.png"], crops[0]); }
        finally { Mien.Tests.Inference.TightCrops.DisposeAll(crops); }

        var (exit, output, _) = CliRunner.Run("predict", "--format", "jsonl", tmp["tight.png"]);
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output.Trim());
        var face = Assert.Single(doc.RootElement.GetProperty("faces").EnumerateArray());
        Assert.Contains(face.GetProperty("found").GetString(), new[] { "padded", "whole-image" });
        Assert.Equal("happy", face.GetProperty("emotion").GetString());

        (exit, output, _) = CliRunner.Run("predict", tmp["tight.png"]);
        Assert.Equal(0, exit);
        Assert.Contains("found", output.Split('\n')[0]);
        Assert.Matches("padded|whole-image", output);

        (exit, output, _) = CliRunner.Run("predict", "--no-fallback", tmp["tight.png"]);
        Assert.Equal(0, exit);
        Assert.Contains("no face found", output);
    }

    [Fact]
    public void Annotate_writes_a_picture_per_image()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, _, _) = CliRunner.Run("predict", Photo("astronaut.png"), "--annotate", tmp.Path);
        Assert.Equal(0, exit);
        var written = Assert.Single(Directory.GetFiles(tmp.Path, "*.png"));
        using var img = OpenCvSharp.Cv2.ImRead(written);
        Assert.Equal(512, img.Width);
    }

    [Fact]
    public void Folders_and_globs_are_expanded()
    {
        var files = Mien.Cli.Commands.PredictCommand.ExpandInputs([TestData.Shared("photos"), Path.Combine(TestData.Shared("photos"), "*.png"), "/none/*.jpg"], out var missing);
        Assert.Contains(files, f => f.EndsWith("messi5.jpg"));
        Assert.Equal(2, files.Count(f => f.EndsWith("astronaut.png")));
        Assert.DoesNotContain(files, f => f.EndsWith(".avi"));
        Assert.Equal(["/none/*.jpg"], missing.Select(m => m.Input));
    }

    [Fact]
    public void Missing_or_corrupt_model_exits_one()
    {
        using var tmp = TestData.NewTempDir();
        File.WriteAllText(tmp["bad.mien"], "garbage");
        var (exit, _, err) = CliRunner.Run("predict", Photo("astronaut.png"), "--model", tmp["bad.mien"]);
        Assert.Equal(1, exit);
        Assert.Contains("bad.mien", err);
        (exit, _, err) = CliRunner.Run("predict", Photo("astronaut.png"), "--model", tmp["none.mien"]);
        Assert.Equal(1, exit);
        Assert.Contains("none.mien", err);
    }

    [Fact]
    public void Precision_fp32_and_bf16_agree_and_a_bad_value_is_refused()
    {
        var (exit32, out32, _) = CliRunner.Run("predict", "--format", "jsonl", "--precision", "fp32", Photo("astronaut.png"));
        var (exit16, out16, _) = CliRunner.Run("predict", "--format", "jsonl", "--precision", "bf16", Photo("astronaut.png"));
        Assert.Equal(0, exit32);
        Assert.Equal(0, exit16);
        using var a = System.Text.Json.JsonDocument.Parse(out32.Trim());
        using var b = System.Text.Json.JsonDocument.Parse(out16.Trim());
        var fa = a.RootElement.GetProperty("faces")[0];
        var fb = b.RootElement.GetProperty("faces")[0];
        Assert.Equal("happy", fa.GetProperty("emotion").GetString());
        Assert.Equal(fa.GetProperty("emotion").GetString(), fb.GetProperty("emotion").GetString());
        Assert.Equal(fa.GetProperty("confidence").GetDouble(), fb.GetProperty("confidence").GetDouble(), 0.05);

        var (exit, _, err) = CliRunner.Run("predict", "--precision", "fp8", Photo("astronaut.png"));
        Assert.NotEqual(0, exit);
        Assert.Contains("--precision", err);
        Assert.Contains("fp8", err);
    }
}

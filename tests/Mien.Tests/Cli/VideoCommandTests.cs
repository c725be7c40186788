using OpenCvSharp;

namespace Mien.Tests.Cli;

public class VideoCommandTests
{
    [Fact]
    public void Csv_rows_for_the_classified_frames_and_an_annotated_copy_with_every_frame()
    {
        using var tmp = TestData.NewTempDir();
        string output = tmp["out/megamind.avi"];
        var (exit, stdout, err) = CliRunner.Run("video", TestData.Shared("photos/Megamind.avi"), "--max-frames", "6", "--every", "3",
                                                "--format", "csv", "--annotate", output);
        Assert.True(exit == 0, err);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("frame,time,face,x,y,width,height,emotion,confidence,anger", lines[0]);
        // Frames 0 and 3 classified: at least one row each (a face row, or an empty row when none was found).
        Assert.Equal(["0", "3"], lines.Skip(1).Select(l => l.Split(',')[0]).Distinct());
        Assert.EndsWith(",found", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Equal(lines[0].Split(',').Length, l.Split(',').Length));
        Assert.Contains("6 frames read, 2 classified", err);
        using var written = new VideoCapture(output);
        Assert.True(written.IsOpened());
        Assert.Equal(6, written.FrameCount);
    }

    [Fact]
    public void Jsonl_faces_say_how_they_were_found()
    {
        var (exit, stdout, err) = CliRunner.Run("video", TestData.Shared("photos/Megamind.avi"), "--max-frames", "4", "--format", "jsonl");
        Assert.True(exit == 0, err);
        var faces = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("faces").EnumerateArray().ToList()).ToList();
        Assert.NotEmpty(faces);
        Assert.All(faces, f => Assert.Contains(f.GetProperty("found").GetString(), new[] { "detected", "padded", "whole-image" }));
    }

    [Fact]
    public void Missing_video_is_an_error_naming_it()
    {
        var (exit, _, err) = CliRunner.Run("video", "/no/such/clip.mp4");
        Assert.Equal(1, exit);
        Assert.Contains("/no/such/clip.mp4", err);
    }
}

using System.Text.Json;
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
        Assert.StartsWith("frame,time,track,x,y,width,height,emotion,confidence,anger", lines[0]);
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

    [Fact]
    public void Megamind_end_to_end_one_track_per_shot_with_timeline_report_and_annotated_video()
    {
        // Megamind.avi is four shots (cuts at frames 98, 154 and 200: Roxanne, the man, Roxanne, the man), one face
        // each. Every third frame is classified: the cuts are seen at 99, 156 and 201. With the cascade: the default
        // detector (tiny first) also boxes the dim background diner of frames 90-96 as a second, oversized "face".
        using var tmp = TestData.NewTempDir();
        var (exit, _, err) = CliRunner.Run("video", TestData.Shared("photos/Megamind.avi"), "--every", "3", "--format", "csv", "--detector", "haar-alt",
                                           "--timeline", tmp["t.json"], "--report", tmp["r.html"], "--annotate", tmp["a.avi"]);
        Assert.True(exit == 0, err);
        Assert.Contains("270 frames read, 90 classified", err);
        Assert.Contains("4 tracks, 3 cuts", err);
        Assert.Matches(@"[\d.]+ frames/s, [\d.]+ classified frames/s, [\d.]+x real time", err);

        using var doc = JsonDocument.Parse(File.ReadAllText(tmp["t.json"]));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => (Frame: r.GetProperty("frame").GetInt32(), Track: r.GetProperty("track").GetInt32())).ToList();
        Assert.Equal(rows.Count, rows.Select(r => r.Frame).Distinct().Count()); // never two faces in one frame
        int[] cuts = [0, 99, 156, 201, int.MaxValue];
        for (int shot = 0; shot < 4; shot++)
        {
            var ids = rows.Where(r => r.Frame >= cuts[shot] && r.Frame < cuts[shot + 1]).Select(r => r.Track).Distinct().ToList();
            Assert.True(ids.Count == 1, $"shot {shot + 1} (frames {cuts[shot]}-): tracks {string.Join(",", ids)}");
        }
        string html = File.ReadAllText(tmp["r.html"]);
        Assert.Contains("Share of time per emotion", html);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(html, "<img alt=\"track ").Count);
        using var written = new VideoCapture(tmp["a.avi"]);
        Assert.Equal(270, written.FrameCount);
    }

    [Fact]
    public void A_truncated_video_keeps_the_frames_before_the_damage_and_says_so()
    {
        using var tmp = TestData.NewTempDir();
        var whole = File.ReadAllBytes(TestData.Shared("photos/Megamind.avi"));
        File.WriteAllBytes(tmp["cut-off.avi"], whole[..(whole.Length * 4 / 10)]);
        var (exit, _, err) = CliRunner.Run("video", tmp["cut-off.avi"], "--every", "10", "--timeline", tmp["t.csv"], "--format", "jsonl");
        Assert.True(exit == 2, err); // partly failed, as predict with some unreadable images
        Assert.Contains($"warning: '{tmp["cut-off.avi"]}' ended after", err);
        Assert.Contains("of its 270 frames", err);
        var rows = File.ReadAllLines(tmp["t.csv"]).Skip(1).Select(l => int.Parse(l.Split(',')[0])).ToList();
        Assert.NotEmpty(rows); // the frames before the damage are in the timeline
        Assert.True(rows.Max() < 150, $"last row frame {rows.Max()}");
    }

    [Fact]
    public void A_corrupt_or_empty_video_and_an_absent_camera_are_errors_naming_them()
    {
        using var tmp = TestData.NewTempDir();
        File.WriteAllText(tmp["notes.avi"], "not a video at all");
        var (exit, output, err) = CliRunner.Run("video", tmp["notes.avi"], "--timeline", tmp["t.csv"]);
        Assert.Equal(1, exit);
        Assert.Contains(tmp["notes.avi"], err);
        Assert.Equal("", output);

        // A container with no frames at all (a writer opened and closed).
        using (var w = new VideoWriter(tmp["empty.avi"], FourCC.MJPG, 25, new Size(64, 48))) Assert.True(w.IsOpened());
        (exit, _, err) = CliRunner.Run("video", tmp["empty.avi"]);
        Assert.Equal(1, exit);
        Assert.Contains(tmp["empty.avi"], err);
        Assert.StartsWith("error: ", err.Split('\n').Last(l => l.Length > 0));

        // No camera 9 on any test machine (CI has none at all).
        (exit, _, err) = CliRunner.Run("video", "camera:9");
        Assert.Equal(1, exit);
        Assert.Contains("error: Camera 9 ('camera:9') could not be opened", err);
    }
}

using System.Text.Json;
using Mien.Faces;
using Mien.Inference;
using Mien.Inference.Tracking;
using Mien.Reporting;
using OpenCvSharp;

namespace Mien.Tests.Inference;

[Trait("Tier", "Fast")]
public sealed class TrackTimelineTests
{
    private static readonly string[] Classes = ["happy", "neutral"];

    private static TrackedFrame Frame(int index, double time, params (int Track, float Happy, float SmoothedHappy)[] faces) =>
        new(index, time, faces.Select(f => new TrackedFace(f.Track,
            new FacePrediction(new FaceBox(10 * f.Track, 20, 100, 100, 3), f.Happy >= 0.5 ? "happy" : "neutral", Math.Max(f.Happy, 1 - f.Happy),
                               new Dictionary<string, float> { ["happy"] = f.Happy, ["neutral"] = 1 - f.Happy }),
            new Dictionary<string, float> { ["happy"] = f.SmoothedHappy, ["neutral"] = 1 - f.SmoothedHappy })).ToList(), true, index == 0);

    [Fact]
    public void Csv_and_json_timelines_carry_time_track_box_raw_and_smoothed_values()
    {
        using var tmp = TestData.NewTempDir();
        foreach (var ext in new[] { "csv", "json" })
            using (var w = TimelineWriter.Create(tmp[$"t.{ext}"], Classes))
            {
                w.Write(Frame(0, 0, (1, 0.9f, 0.9f), (2, 0.2f, 0.2f)));
                w.Write(Frame(1, 0.04, []));
                w.Write(Frame(2, 0.08, (1, 0.3f, 0.7f)));
            }
        var lines = File.ReadAllLines(tmp["t.csv"]);
        Assert.Equal("frame,time,track,x,y,width,height,found,emotion,confidence,raw_emotion,raw_confidence,raw_happy,raw_neutral,smoothed_happy,smoothed_neutral", lines[0]);
        Assert.Equal(4, lines.Length); // a frame without faces has no row
        Assert.Equal("2,0.080,1,10,20,100,100,detected,happy,0.7000,neutral,0.7000,0.3000,0.7000,0.7000,0.3000", lines[3]);

        using var doc = JsonDocument.Parse(File.ReadAllText(tmp["t.json"]));
        Assert.Equal(Classes, doc.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(2, rows[1].GetProperty("track").GetInt32());
        Assert.Equal(0.7, rows[2].GetProperty("smoothed").GetProperty("happy").GetDouble(), 6);
        Assert.Equal(0.3, rows[2].GetProperty("raw").GetProperty("happy").GetDouble(), 6);
        Assert.Equal("neutral", rows[2].GetProperty("raw_emotion").GetString());
        Assert.Equal(100, rows[0].GetProperty("box").GetProperty("width").GetInt32());

        Assert.Throws<ArgumentException>(() => TimelineWriter.Create(tmp["t.txt"], Classes));
    }

    [Fact]
    public void The_summary_gives_each_track_its_span_and_share_of_time_per_smoothed_emotion()
    {
        var t = new TrackTimeline(Classes);
        t.Add(Frame(0, 0.0, (1, 0.9f, 0.9f)));
        t.Add(Frame(1, 0.5, (1, 0.1f, 0.6f), (2, 0.1f, 0.1f)));
        t.Add(Frame(2, 1.0, (1, 0.1f, 0.3f)));
        t.Add(Frame(3, 1.5, (1, 0.1f, 0.2f)));
        var s = t.Summaries();
        Assert.Equal([1, 2], s.Select(x => x.TrackId));
        Assert.Equal((0.0, 1.5, 4), (s[0].StartSeconds, s[0].EndSeconds, s[0].Frames));
        Assert.Equal(0.5, s[0].Share["happy"], 6); // smoothed, not raw (raw would say 25 %)
        Assert.Equal("neutral", s[1].Dominant);
        Assert.Equal(1, t.Cuts);
        Assert.Equal(4, t.Series(1).Count);
    }

    [Fact]
    public void The_annotated_frame_shows_a_bar_per_emotion_beside_each_face()
    {
        using var grey = new Mat(480, 640, MatType.CV_8UC3, Scalar.All(128));
        using var drawn = TrackAnnotator.Annotate(grey, Frame(0, 0, (10, 0.2f, 0.8f)));
        // Face box 100,20 100x100; rows of 14 px start at its top, right of it; bars begin 30 px into the panel.
        Assert.Equal(new Vec3b(60, 160, 60), drawn.At<Vec3b>(20 + 7, 206 + 30 + 30)); // happy at 0.8: the bar reaches 30 px in
        Assert.Equal(new Vec3b(70, 70, 70), drawn.At<Vec3b>(20 + 7, 206 + 30 + 50)); // ... but not 50 px (of 53)
        Assert.Equal(new Vec3b(128, 128, 128), grey.At<Vec3b>(27, 266)); // drawn on a copy
    }
}

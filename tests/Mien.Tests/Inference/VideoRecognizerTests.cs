using Mien.Inference;
using OpenCvSharp;

namespace Mien.Tests.Inference;

public sealed class VideoRecognizerTests
{
    private static readonly string Megamind = TestData.Shared("photos/Megamind.avi");

    [Fact]
    public void Every_nth_frame_is_classified_and_every_frame_is_seen()
    {
        using var recognizer = EmotionRecognizer.LoadDefault();
        var seen = new List<int>();
        var frames = VideoRecognizer.Predict(recognizer, Megamind, new VideoOptions { Every = 4, MaxFrames = 12 },
                                             (frame, p) => { Assert.Equal(new Size(720, 528), frame.Size()); seen.Add(p.Frame); }).ToList();
        Assert.Equal([0, 4, 8], frames.Select(f => f.Frame));
        Assert.Equal(Enumerable.Range(0, 12), seen);
        Assert.Equal(8 / 23.976, frames[2].TimeSeconds, 3);
        Assert.All(frames.SelectMany(f => f.Faces), face => Assert.Equal(1.0, face.Probabilities.Values.Sum(), 3));
    }

    [Fact]
    public void Bad_sources_and_options_fail_at_the_call_with_the_name()
    {
        using var recognizer = EmotionRecognizer.LoadDefault();
        Assert.Contains("no-such.mp4", Assert.Throws<FileNotFoundException>(() => VideoRecognizer.Predict(recognizer, "no-such.mp4")).Message);
        Assert.Contains("camera:N", Assert.Throws<ArgumentException>(() => VideoRecognizer.Predict(recognizer, "camera:front")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => VideoRecognizer.Predict(recognizer, Megamind, new VideoOptions { Every = 0 }));
        using var tmp = TestData.NewTempDir();
        File.WriteAllText(tmp["notes.mp4"], "not a video");
        Assert.Contains("notes.mp4", Assert.Throws<InvalidDataException>(() => VideoRecognizer.Predict(recognizer, tmp["notes.mp4"])).Message);
    }
}

using Mien.Faces;
using Mien.Inference;
using Mien.Inference.Tracking;

namespace Mien.Tests.Inference;

public sealed class VideoTrackingTests
{
    [Theory]
    [InlineData(1)] // the detector on every frame
    [InlineData(3)] // every third frame; the motion model places the boxes in between
    public void Two_CK_subjects_keep_their_ids_within_a_shot_get_new_ones_after_the_cut_and_show_their_peak_emotion(int detectEvery)
    {
        using var tmp = TestData.NewTempDir();
        string clip = tmp["two-subjects.avi"];
        TrackingClips.WriteTwoSubjects(clip);
        // The cascade: the clip's two faces are tight CK+48 crops side by side, and the default chain (tiny first) stops
        // at the CNN when it finds one of them. What is under test here is the tracker, not the detector.
        using var recognizer = EmotionRecognizer.LoadDefault(new RecognizerOptions { Detector = new FaceDetectorOptions { Detector = "haar-alt" } });
        var frames = VideoRecognizer.Track(recognizer, clip, tracking: new TrackingOptions { DetectEvery = detectEvery }).ToList();

        Assert.Equal(TrackingClips.Frames, frames.Count);
        Assert.Equal([TrackingClips.ShotFrames], frames.Where(f => f.Cut).Select(f => f.Frame));
        // Within a shot, every frame holds both faces, and the left one always has the same id (so does the right one).
        (int Left, int Right) Ids(int from, int to)
        {
            var shot = frames.Skip(from).Take(to - from).ToList();
            Assert.All(shot, f => Assert.True(f.Faces.Count == 2, $"frame {f.Frame}: {f.Faces.Count} faces"));
            var left = shot.Select(f => f.Faces.MinBy(x => x.Raw.Box.X)!.TrackId).Distinct().ToList();
            var right = shot.Select(f => f.Faces.MaxBy(x => x.Raw.Box.X)!.TrackId).Distinct().ToList();
            Assert.True(left.Count == 1 && right.Count == 1, $"frames {from}-{to - 1}: left ids {string.Join(",", left)}, right ids {string.Join(",", right)}");
            return (left[0], right[0]);
        }
        var (happy1, surprise1) = Ids(0, TrackingClips.ShotFrames);
        var (surprise2, happy2) = Ids(TrackingClips.ShotFrames, TrackingClips.LeaveFrame);
        Assert.NotEqual(happy1, surprise1);
        Assert.Empty(new[] { surprise2, happy2 }.Intersect([happy1, surprise1])); // no track crosses the cut
        Assert.NotEqual(surprise2, happy2);

        // The surprise face leaves at frame 60: its track is gone by the next detection; the happy one keeps its id.
        var after = frames.Skip(TrackingClips.LeaveFrame).ToList();
        Assert.All(after, f => Assert.Contains(happy2, f.Faces.Select(x => x.TrackId)));
        Assert.All(after.Skip(detectEvery), f => Assert.Equal(happy2, Assert.Single(f.Faces).TrackId));
        Assert.Equal(4, frames.SelectMany(f => f.Faces).Select(x => x.TrackId).Distinct().Count());

        // The peak (last frame of each sequence) of each shot, raw and smoothed.
        void Peak(int frame, int track, string emotion)
        {
            var face = frames[frame].Faces.Single(x => x.TrackId == track);
            Assert.True(face.Emotion == emotion && face.Raw.Emotion == emotion, $"frame {frame}, track {track}: smoothed {face.Emotion}, raw {face.Raw.Emotion}; expected {emotion}");
        }
        Peak(TrackingClips.ShotFrames - 1, happy1, "happy");
        Peak(TrackingClips.ShotFrames - 1, surprise1, "surprise");
        Peak(TrackingClips.LeaveFrame - 1, happy2, "happy");
        Peak(TrackingClips.LeaveFrame - 1, surprise2, "surprise");
        Peak(TrackingClips.Frames - 1, happy2, "happy");

        // Raw values are kept beside the smoothed ones: a new track starts at its raw values, then each frame moves it
        // by w = 1 - exp(-dt / 0.5 s) of the way to the new raw values.
        var first = frames[0].Faces.Single(x => x.TrackId == happy1);
        var second = frames[1].Faces.Single(x => x.TrackId == happy1);
        double w = 1 - Math.Exp(-(1.0 / TrackingClips.Fps) / new TrackingOptions().SmoothingSeconds);
        foreach (var c in recognizer.ClassNames)
        {
            Assert.Equal(first.Raw.Probabilities[c], first.Smoothed[c], 5);
            Assert.Equal(first.Smoothed[c] + w * (second.Raw.Probabilities[c] - first.Smoothed[c]), second.Smoothed[c], 4);
        }

        // Detection ran where asked (and at the cut); in between the boxes came from the motion model.
        Assert.All(frames, f => Assert.Equal(f.Frame % detectEvery == 0, f.Detected));
        Assert.All(frames.Where(f => !f.Detected).SelectMany(f => f.Faces), x => Assert.Equal(FaceSource.Tracked, x.Raw.FaceSource));
    }

    [Fact]
    public async Task The_async_stream_yields_the_same_frames_and_stops_reading_when_abandoned()
    {
        using var tmp = TestData.NewTempDir();
        string clip = tmp["two-subjects.avi"];
        TrackingClips.WriteTwoSubjects(clip);
        using var recognizer = EmotionRecognizer.LoadDefault();
        var options = new VideoOptions { MaxFrames = 8 };
        var sync = VideoRecognizer.Track(recognizer, clip, options).ToList();
        var async = new List<TrackedFrame>();
        await foreach (var f in VideoRecognizer.TrackAsync(recognizer, clip, options)) async.Add(f);
        Assert.Equal(sync.Select(f => (f.Frame, string.Join(",", f.Faces.Select(x => $"{x.TrackId}:{x.Raw.Box}:{x.Emotion}")))),
                     async.Select(f => (f.Frame, string.Join(",", f.Faces.Select(x => $"{x.TrackId}:{x.Raw.Box}:{x.Emotion}")))));
        await foreach (var f in VideoRecognizer.TrackAsync(recognizer, clip)) { Assert.Equal(0, f.Frame); break; } // returns: the reader stopped
        await Assert.ThrowsAsync<FileNotFoundException>(async () => { await foreach (var _ in VideoRecognizer.TrackAsync(recognizer, tmp["none.avi"])) { } });
    }
}

using Mien.Faces;
using Mien.Inference.Tracking;

namespace Mien.Tests.Inference;

[Trait("Tier", "Fast")] // boxes only: no model, no data
public sealed class FaceTrackerTests
{
    private static FaceBox Box(int x, int y, int side = 100) => new(x, y, side, side, 5);

    [Fact]
    public void Two_moving_faces_keep_their_ids_and_new_faces_get_new_ones_left_to_right()
    {
        var tracker = new FaceTracker();
        var first = tracker.Update([Box(400, 100), Box(50, 100)], 0);
        Assert.Equal([2, 1], first.Select(b => b.TrackId)); // ids left to right, results in detection order
        for (int f = 1; f <= 20; f++)
        {
            // Given in the other order every other frame: matching is by position, not by list order.
            var boxes = new[] { Box(50 + 6 * f, 100), Box(400, 100 + 4 * f) };
            var ids = tracker.Update(f % 2 == 0 ? boxes : boxes.Reverse().ToArray(), f / 25.0).ToDictionary(b => b.Box.X, b => b.TrackId);
            Assert.Equal(1, ids[50 + 6 * f]);
            Assert.Equal(2, ids[400]);
        }
        var third = tracker.Update([Box(170, 100), Box(400, 180), Box(600, 300, 80)], 21 / 25.0);
        Assert.Equal([1, 2, 3], third.Select(b => b.TrackId));
    }

    [Fact]
    public void The_motion_model_places_the_boxes_between_detections()
    {
        var tracker = new FaceTracker();
        for (int f = 0; f <= 10; f++) tracker.Update([Box(100 + 5 * f, 100)], f / 25.0); // 125 px/s to the right
        var predicted = Assert.Single(tracker.Predict(12 / 25.0));
        Assert.Equal(1, predicted.TrackId);
        Assert.InRange(predicted.Box.X, 155, 165); // 160 where the face would be two frames on
        Assert.Equal(100, predicted.Box.Y);
    }

    [Fact]
    public void A_track_missed_briefly_continues_one_missed_too_long_ends()
    {
        var options = new TrackingOptions { MaxMissedSeconds = 1.0 };
        var tracker = new FaceTracker(options);
        tracker.Update([Box(100, 100)], 0);
        Assert.Empty(tracker.Update([], 0.5));
        Assert.Empty(tracker.Predict(0.6)); // not shown while missed
        // Turned away and back, smaller: IoU 0.25 with its last box, but the centre is 0.43 box widths off, so the same face.
        Assert.Equal(1, Assert.Single(tracker.Update([Box(150, 140, 70)], 0.9)).TrackId);
        tracker.Update([], 1.5);
        tracker.Update([], 2.0);
        Assert.Equal(2, Assert.Single(tracker.Update([Box(130, 110)], 2.1)).TrackId); // 1.2 s unseen: a new id
        Assert.Equal([2], tracker.LiveIds);
    }

    [Fact]
    public void Ending_all_tracks_at_a_cut_gives_the_same_places_new_ids()
    {
        var tracker = new FaceTracker();
        tracker.Update([Box(50, 100), Box(400, 100)], 0);
        tracker.EndAll();
        Assert.Equal([3, 4], tracker.Update([Box(50, 100), Box(400, 100)], 0.04).Select(b => b.TrackId));
    }

    [Fact]
    public void A_far_or_differently_sized_face_is_not_taken_for_a_tracked_one()
    {
        var tracker = new FaceTracker();
        tracker.Update([Box(100, 100)], 0);
        Assert.Equal(2, tracker.Update([Box(260, 100)], 0.04).Single().TrackId); // 1.6 box widths away
        Assert.Equal(3, tracker.Update([Box(95, 95, 200)], 0.08).Single().TrackId); // twice the size: someone nearer the camera
        Assert.Equal(0, FaceTracker.Iou(Box(0, 0), Box(100, 0)));
        Assert.Equal(1.0 / 3, FaceTracker.Iou(Box(0, 0), Box(50, 0)), 6);
    }

    [Fact]
    public void The_moving_average_follows_with_its_time_constant_and_stays_a_distribution()
    {
        var s = new EmotionSmoother(0.5);
        Assert.Equal([1f, 0f], s.Update([1f, 0f], 0));
        var after = s.Update([0f, 1f], 0.5); // one time constant: 1 - 1/e of the way
        Assert.Equal(1 - Math.Exp(-1), after[1], 4);
        Assert.Equal(1, after.Sum(), 5);
        Assert.Equal([0f, 1f], new EmotionSmoother(0).Update([0f, 1f], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceTracker(new TrackingOptions { DetectEvery = 0 }));
    }
}

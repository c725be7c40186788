using Mien.Faces;

namespace Mien.Tests.Faces;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public sealed class DetectionImageTests
{
    private static readonly FaceDetectorOptions Defaults = new() { MinFaceSize = 30 };

    [Fact]
    public void Boxes_are_sorted_left_to_right_then_top_to_bottom()
    {
        FaceBox[] boxes = [new(300, 10, 40, 40, 9), new(10, 200, 40, 40, 5), new(10, 50, 40, 40, 7), new(150, 0, 40, 40, 20)];
        var sorted = BoxGeometry.Finish(boxes, Defaults);
        Assert.Equal([boxes[2], boxes[1], boxes[3], boxes[0]], sorted);
    }

    [Fact]
    public void Heavy_overlap_keeps_the_better_box_and_light_overlap_keeps_both()
    {
        var face = new FaceBox(100, 100, 60, 60, 20);
        var nested = new FaceBox(110, 110, 40, 40, 6);     // fully inside: a duplicate although IoU is only 0.44
        var neighbour = new FaceBox(150, 100, 60, 60, 8);  // overlaps a sixth of the face: a second person
        Assert.Equal([face, neighbour], BoxGeometry.Finish([nested, neighbour, face], Defaults));
        Assert.Equal(3, BoxGeometry.Finish([nested, neighbour, face], Defaults with { MaxOverlap = 1 }).Count);
    }

    [Fact]
    public void Boxes_below_the_minimum_size_are_dropped()
    {
        var result = BoxGeometry.Finish([new(0, 0, 29, 29, 50), new(100, 0, 30, 30, 5)], Defaults);
        Assert.Equal(30, Assert.Single(result).Width);
    }

    [Fact]
    public void Prepare_shrinks_the_longer_side_and_reports_the_scale()
    {
        using var image = new OpenCvSharp.Mat(500, 1000, OpenCvSharp.MatType.CV_8UC3, OpenCvSharp.Scalar.All(128));
        using var prepared = DetectionImage.Prepare(image, 640, color: false, out double scale);
        Assert.Equal(0.64, scale, 6);
        Assert.Equal(new OpenCvSharp.Size(640, 320), prepared.Size());
        Assert.Equal(1, prepared.Channels());
        Assert.Equal(new FaceBox(100, 50, 200, 100, 3), DetectionImage.ToFullResolution(new OpenCvSharp.Rect(64, 32, 128, 64), scale, 3));
    }

    [Fact]
    public void Prepare_detects_no_finer_than_the_smallest_face_needs()
    {
        using var image = new OpenCvSharp.Mat(480, 640, OpenCvSharp.MatType.CV_8UC1, OpenCvSharp.Scalar.All(128));
        // A 48 px face fills a 24 px cascade window at half size.
        using (var half = DetectionImage.Prepare(image, 640, color: false, out double scale, window: 24, minFace: 48))
        {
            Assert.Equal(0.5, scale, 6);
            Assert.Equal(new OpenCvSharp.Size(320, 240), half.Size());
        }
        // Faces as small as the window: full resolution; the max-side limit still applies on its own.
        using (DetectionImage.Prepare(image, 640, color: false, out double full, window: 24, minFace: 24)) Assert.Equal(1.0, full, 6);
        using (DetectionImage.Prepare(image, 320, color: false, out double capped, window: 24, minFace: 30)) Assert.Equal(0.5, capped, 6);
    }
}

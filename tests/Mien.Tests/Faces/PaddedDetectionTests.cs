using Mien.Faces;
using OpenCvSharp;

namespace Mien.Tests.Faces;

public class PaddedDetectionTests
{
    [Theory]
    // 143x181: padded without shrinking. 572x724: shrunk first (padded, it would pass the 640-px detection side).
    [InlineData(143, 181)] [InlineData(572, 724)]
    public void A_tight_crop_is_found_padded_and_the_box_maps_back_into_it(int width, int height)
    {
        using var photo = TestPhotos.Load("astronaut.png");
        using var detector = FaceDetectors.Create(new FaceDetectorOptions { Detector = "haar-alt" });
        var box = Assert.Single(detector.Detect(photo));
        double h = box.Height * 0.9, w = h * 143 / 181;
        double cx = box.X + box.Width / 2.0, cy = box.Y + box.Height * 0.55;
        using var roi = new Mat(photo, new Rect((int)Math.Round(cx - w / 2), (int)Math.Round(cy - h / 2), (int)Math.Round(w), (int)Math.Round(h)));
        using var crop = roi.Resize(new Size(width, height), 0, 0, InterpolationFlags.Area);

        Assert.Empty(detector.Detect(crop));
        var face = Assert.Single(PaddedDetection.Detect(detector, crop, new FaceDetectorOptions().MaxDetectionSide));
        var r = face.ToRect();
        Assert.Equal(r, r & new Rect(0, 0, width, height));
        // The face fills the crop: the box is centred in it and about as tall.
        Assert.InRange(r.X + r.Width / 2.0, 0.4 * width, 0.6 * width);
        Assert.InRange(r.Y + r.Height / 2.0, 0.35 * height, 0.65 * height);
        Assert.InRange(r.Height, 0.7 * height, height);
    }

    [Fact]
    public void A_photo_without_a_face_stays_without_one()
    {
        using var coffee = TestPhotos.Load("coffee.png");
        using var detector = FaceDetectors.Create(new FaceDetectorOptions { Detector = "haar-alt" });
        Assert.Empty(PaddedDetection.Detect(detector, coffee, new FaceDetectorOptions().MaxDetectionSide));
    }
}

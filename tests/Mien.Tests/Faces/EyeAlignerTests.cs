using Mien.Faces;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Mien.Tests.Faces;

public sealed class EyeAlignerTests(ITestOutputHelper output)
{
    private static Mat Rotated(Mat image, Point2f centre, double degrees)
    {
        using var m = Cv2.GetRotationMatrix2D(centre, degrees, 1.0);
        var rotated = new Mat();
        Cv2.WarpAffine(image, rotated, m, image.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
        return rotated;
    }

    private static double MeanAbsDiff(Mat a, Mat b)
    {
        using var diff = new Mat();
        Cv2.Absdiff(a, b, diff);
        return Cv2.Mean(diff).Val0;
    }

    [Fact]
    public void Upright_face_has_level_eyes()
    {
        using var image = TestPhotos.Load("astronaut.png");
        using var detector = FaceDetectors.Create();
        using var aligner = new EyeAligner();
        var face = Assert.Single(detector.Detect(image));
        var roll = aligner.FindRollDegrees(image, face);
        output.WriteLine($"upright roll: {roll}");
        Assert.NotNull(roll);
        Assert.InRange(roll!.Value, -5, 5);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(-12)]
    public void Tilted_face_is_measured_and_levelled(double tilt)
    {
        using var image = TestPhotos.Load("astronaut.png");
        // A finer pyramid step than the default: frontal cascades lose tilted faces quickly.
        using var detector = FaceDetectors.Create(new FaceDetectorOptions { ScaleFactor = 1.05 });
        using var aligner = new EyeAligner();
        var upright = Assert.Single(detector.Detect(image));
        double uprightRoll = aligner.FindRollDegrees(image, upright) ?? double.NaN;
        using var reference = FaceCropper.Crop(image, upright);

        // Tilt the head about its own centre (OpenCV: positive = counter-clockwise, i.e. the image-right eye rises).
        var centre = new Point2f(upright.X + upright.Width / 2f, upright.Y + upright.Height / 2f);
        using var tilted = Rotated(image, centre, tilt);
        var face = Assert.Single(detector.Detect(tilted));
        var roll = aligner.FindRollDegrees(tilted, face);
        output.WriteLine($"tilt {tilt}: box {face}, measured roll {roll}");
        Assert.NotNull(roll);
        // A counter-clockwise tilt raises the right eye: the roll changes by minus the tilt, within 4°. (Relative to the
        // upright photo, where she holds her head a few degrees off level.)
        Assert.InRange(roll!.Value - uprightRoll, -tilt - 4, -tilt + 4);

        // Levelling brings the crop closer to the upright face's crop than cropping the tilted face as is.
        using var plain = FaceCropper.Crop(tilted, face);
        using var levelled = FaceCropper.Crop(tilted, face, rollDegrees: roll.Value);
        double before = MeanAbsDiff(plain, reference), after = MeanAbsDiff(levelled, reference);
        output.WriteLine($"mean |difference| to the upright crop: as is {before:F1}, levelled {after:F1}");
        Assert.True(after < before * 0.8, $"levelled crop differs by {after:F1}, unlevelled by {before:F1}");
    }

    [Fact]
    public void No_eyes_gives_no_angle()
    {
        using var blank = new Mat(200, 200, MatType.CV_8UC3, Scalar.All(128));
        using var aligner = new EyeAligner();
        Assert.Null(aligner.FindRollDegrees(blank, new FaceBox(20, 20, 160, 160, 1)));
    }

    [Fact]
    public void Missing_cascade_names_the_file_and_the_package()
    {
        var empty = Directory.CreateTempSubdirectory("mien-eyes-").FullName;
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => new EyeAligner(empty));
            Assert.Contains(EyeAligner.CascadeFileName, e.Message);
            Assert.Contains("opencv-data", e.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}

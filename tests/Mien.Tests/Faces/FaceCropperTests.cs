using Mien.Faces;
using OpenCvSharp;

namespace Mien.Tests.Faces;

public sealed class FaceCropperTests
{
    [Fact]
    public void Crop_of_the_detected_face_is_48x48_gray()
    {
        using var image = TestPhotos.Load("astronaut.png");
        using var detector = FaceDetectors.Create();
        using var crop = FaceCropper.Crop(image, Assert.Single(detector.Detect(image)));

        Assert.Equal(new Size(48, 48), crop.Size());
        Assert.Equal(MatType.CV_8UC1, crop.Type());
        // A face, not a flat patch: real contrast between skin, eyes and mouth.
        Cv2.MeanStdDev(crop, out _, out var std);
        Assert.True(std.Val0 > 20, $"crop looks flat (std {std.Val0:F1})");
    }

    [Fact]
    public void Crop_matches_a_manual_gray_resize_of_the_square()
    {
        using var image = TestPhotos.Load("astronaut.png");
        var box = new FaceBox(100, 120, 96, 96, 1);
        using var crop = FaceCropper.Crop(image, box, new FaceCropOptions { Margin = 0.25 }); // 96 * 1.5 = 144 px square
        using var gray = image.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var expected = new Mat(gray, new Rect(100 - 24, 120 - 24, 144, 144)).Resize(new Size(48, 48), 0, 0, InterpolationFlags.Area);
        Assert.Equal(FaceCropper.ToGrayBytes(expected), FaceCropper.ToGrayBytes(crop));
    }

    [Theory]
    [InlineData(-20, -20)]   // top-left corner, partly outside
    [InlineData(480, 490)]   // bottom-right corner, partly outside
    [InlineData(0, 200)]     // margin crosses the left edge
    public void Crop_near_or_across_the_edge_pads_instead_of_failing(int x, int y)
    {
        using var image = TestPhotos.Load("astronaut.png");
        using var crop = FaceCropper.Crop(image, new FaceBox(x, y, 60, 60, 1), new FaceCropOptions { Margin = 0.3 });
        Assert.Equal(new Size(48, 48), crop.Size());
        Assert.Equal(MatType.CV_8UC1, crop.Type());
    }

    [Fact]
    public void Edge_padding_replicates_border_pixels()
    {
        // Left half of the square lies outside the image: its columns must repeat the image's first column.
        using var image = new Mat(100, 100, MatType.CV_8UC1);
        Cv2.Randu(image, 0, 255);
        using var crop = FaceCropper.Crop(image, new FaceBox(-24, 10, 48, 48, 1), new FaceCropOptions { Margin = 0, OutputSize = 48 });
        var pixels = FaceCropper.ToGrayBytes(crop);
        for (int r = 0; r < 48; r++)
            for (int c = 0; c < 24; c++)
                Assert.Equal(image.At<byte>(10 + r, 0), pixels[r * 48 + c]);
    }

    [Fact]
    public void Box_entirely_outside_the_image_is_rejected()
    {
        using var image = new Mat(50, 50, MatType.CV_8UC3, Scalar.All(0));
        Assert.Throws<ArgumentException>(() => FaceCropper.Crop(image, new FaceBox(200, 200, 20, 20, 1)));
    }

    [Fact]
    public void Upscaling_a_small_face_works()
    {
        using var image = TestPhotos.Load("messi5.jpg");
        using var crop = FaceCropper.Crop(image, new FaceBox(225, 94, 38, 38, 14), new FaceCropOptions { OutputSize = 64 });
        Assert.Equal(new Size(64, 64), crop.Size());
    }

    [Fact]
    public void ToGrayBytes_is_row_major_and_handles_submatrix_views()
    {
        using var image = new Mat(4, 6, MatType.CV_8UC1);
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 6; c++)
                image.Set(r, c, (byte)(r * 10 + c));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (byte)(i / 6 * 10 + i % 6)), FaceCropper.ToGrayBytes(image));

        using var view = new Mat(image, new Rect(1, 1, 3, 2)); // not continuous: row stride 6, width 3
        Assert.False(view.IsContinuous());
        Assert.Equal(new byte[] { 11, 12, 13, 21, 22, 23 }, FaceCropper.ToGrayBytes(view));
        Assert.Throws<ArgumentException>(() => FaceCropper.ToGrayBytes(new Mat(2, 2, MatType.CV_8UC3)));
    }
}

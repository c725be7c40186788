using System.Runtime.InteropServices;
using Mien.Imaging;
using OpenCvSharp;

namespace Mien.Tests.Imaging;

/// <summary>
/// Mien.Onnx's managed image steps (src/Mien.Onnx/Imaging, compiled into this test project as links) against OpenCV,
/// which Mien uses for the same steps: a face must reach the network as the same bytes in both packages.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class PixelOpsTests
{
    private static (PixelImage Image, Mat Mat) Noise(int width, int height, int channels, int seed)
    {
        var rng = new Random(seed);
        var bytes = new byte[width * height * channels];
        // Gradients plus noise: every rounding case of the resize arithmetic comes up.
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        for (int k = 0; k < channels; k++)
            bytes[(y * width + x) * channels + k] = (byte)((x * 7 + y * 3 + k * 50 + rng.Next(60)) % 256);
        var mat = new Mat(height, width, channels == 1 ? MatType.CV_8UC1 : MatType.CV_8UC3);
        Marshal.Copy(bytes, 0, mat.Data, bytes.Length);
        return (new PixelImage(width, height, channels, bytes), mat);
    }

    private static byte[] Bytes(Mat mat)
    {
        var b = new byte[mat.Width * mat.Height * mat.Channels()];
        Marshal.Copy(mat.Data, b, 0, b.Length);
        return b;
    }

    [Theory]
    [InlineData(48, 48, 128, 128, 3)]   // a CK+48 face enlarged for the tiny detector
    [InlineData(48, 48, 128, 128, 1)]
    [InlineData(30, 40, 48, 48, 1)]     // a small face crop enlarged to the model's input
    [InlineData(58, 58, 48, 48, 1)]     // a detected face shrunk to the model's input
    [InlineData(143, 181, 48, 48, 1)]
    [InlineData(512, 512, 416, 416, 3)] // photos shrunk for the detector
    [InlineData(640, 480, 544, 408, 3)]
    public void Resizing_gives_OpenCVs_bytes(int width, int height, int toWidth, int toHeight, int channels)
    {
        var (image, mat) = Noise(width, height, channels, seed: width + toWidth);
        using (mat)
        {
            using var expected = mat.Resize(new Size(toWidth, toHeight), 0, 0, toWidth > width ? InterpolationFlags.Linear : InterpolationFlags.Area);
            Assert.Equal(Bytes(expected), PixelOps.Resize(image, toWidth, toHeight).Pixels);
        }
    }

    [Fact]
    public void Grey_conversion_and_replicated_borders_give_OpenCVs_bytes()
    {
        var (image, mat) = Noise(61, 47, 3, seed: 5);
        using (mat)
        {
            using var gray = mat.CvtColor(ColorConversionCodes.BGR2GRAY);
            var mine = PixelOps.ToGray(image);
            Assert.Equal(Bytes(gray), mine.Pixels);

            // A square reaching past the top-left and right edges, as a face box at the border does.
            using var padded = new Mat();
            Cv2.CopyMakeBorder(gray, padded, 9, 4, 7, 12, BorderTypes.Replicate);
            Assert.Equal(Bytes(padded), PixelOps.Region(mine, -7, -9, 61 + 7 + 12, 47 + 9 + 4).Pixels);
            using var inside = new Mat(gray, new Rect(10, 5, 20, 20)).Clone();
            Assert.Equal(Bytes(inside), PixelOps.Region(mine, 10, 5, 20, 20).Pixels);
        }
    }
}

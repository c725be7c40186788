using System.Text;
using Mien.Data;
using Mien.Faces;
using OpenCvSharp;

namespace Mien.Tests.Faces;

public sealed class TinyFaceDetectorTests
{
    private static double Iou(FaceBox a, FaceBox b) => BoxGeometry.Iou(a, b);

    [Fact]
    public void It_finds_the_astronaut_where_the_cascade_does_and_no_face_on_the_cat_or_the_coffee()
    {
        using var tiny = FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny" });
        using var haar = FaceDetectors.Create(new FaceDetectorOptions { Detector = "haar-alt" });
        using var astronaut = TestPhotos.Load("astronaut.png");
        var found = tiny.Detect(astronaut);
        var reference = Assert.Single(haar.Detect(astronaut));
        var face = Assert.Single(found);
        // Reframed like a cascade box (FER framing), so the two crops nearly coincide.
        Assert.True(Iou(face, reference) > 0.6, $"tiny {face} vs haar-alt {reference}: IoU {Iou(face, reference):F2}");
        Assert.InRange(face.Score, 0.5, 1.0);
        foreach (var name in new[] { "chelsea.png", "coffee.png" })
        {
            using var image = TestPhotos.Load(name);
            Assert.Empty(tiny.Detect(image));
        }
    }

    [Theory]
    [InlineData(640, 480, 0, 0)]
    [InlineData(640, 480, 128, -32)]
    [InlineData(480, 720, -16, 208)]
    public void A_face_in_a_landscape_or_portrait_frame_is_found_where_it_is(int width, int height, int dx, int dy)
    {
        // The network sees a rectangle (rows != columns), not a square letterbox: a wrong row/column order in decoding
        // would put the box elsewhere. The 512x512 photo is scaled to 400 px and placed at a known offset.
        using var tiny = FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny" });
        using var astronaut = TestPhotos.Load("astronaut.png");
        using var small = astronaut.Resize(new Size(400, 400), 0, 0, InterpolationFlags.Area);
        var alone = Assert.Single(tiny.Detect(small));
        using var frame = new Mat(height, width, MatType.CV_8UC3, new Scalar(90, 90, 90));
        int x0 = (width - 400) / 2 + dx, y0 = (height - 400) / 2 + dy;
        var inside = new Rect(0, 0, width, height).Intersect(new Rect(x0, y0, 400, 400));
        small[new Rect(inside.X - x0, inside.Y - y0, inside.Width, inside.Height)].CopyTo(frame[inside]);
        var face = Assert.Single(tiny.Detect(frame));
        var expected = alone with { X = alone.X + x0, Y = alone.Y + y0 };
        Assert.True(Iou(face, expected) > 0.8, $"{width}x{height}: found {face}, expected about {expected}");
    }

    [Fact]
    public void A_grey_photo_gives_the_boxes_of_its_colour_original_converted_to_grey()
    {
        using var tiny = FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny" });
        using var colour = TestPhotos.Load("astronaut.png");
        using var grey = colour.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var greyBgr = grey.CvtColor(ColorConversionCodes.GRAY2BGR);
        Assert.Equal(tiny.Detect(greyBgr), tiny.Detect(grey));
        Assert.Single(tiny.Detect(grey));
    }

    [Fact]
    public void On_fer_faces_its_boxes_frame_the_face_as_the_dataset_crops_it()
    {
        // 150 PublicTest faces, upscaled 3x and padded: the FER crop is the 144-px square in the middle.
        var data = DatasetLoader.Load(TestData.Fer2013PublicTestZip);
        var test = data.IndicesOfSplit("test");
        using var tiny = FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny" });
        var dy = new List<double>();
        var scale = new List<double>();
        for (int k = 0; k < 150; k++)
        {
            using var face = Mat.FromPixelData(48, 48, MatType.CV_8UC1, data.Image(test[k * (test.Length / 150)]).ToArray());
            using var big = face.Resize(new Size(144, 144), 0, 0, InterpolationFlags.Cubic);
            using var canvas = new Mat();
            Cv2.CopyMakeBorder(big, canvas, 72, 72, 72, 72, BorderTypes.Replicate);
            if (tiny.Detect(canvas) is not [var b, ..]) continue;
            dy.Add((144 - (b.Y + b.Height / 2.0)) / b.Height);
            scale.Add(144 / 1.04 / b.Height);
        }
        // Found on about half of them (as the frontal cascade is: these are blurry 48-px web faces, many turned).
        Assert.True(dy.Count >= 50, $"tiny found only {dy.Count} of 150 faces");
        dy.Sort();
        scale.Sort();
        Assert.InRange(dy[dy.Count / 2], -0.04, 0.04);
        Assert.InRange(scale[scale.Count / 2], 0.95, 1.06);
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Weights_that_do_not_match_the_network_are_refused_by_tensor_name()
    {
        static Stream Text(string s) => new MemoryStream(Encoding.UTF8.GetBytes(s));
        // A manifest naming one tensor the shard is too short for.
        var e = Assert.Throws<InvalidDataException>(() => Mien.Models.Onnx.TinyFaceDetectorGraph.LoadWeights(
            Text("""[{"paths":["x.bin"],"weights":[{"name":"conv0/filters","shape":[3,3,3,16],"dtype":"float32"}]}]"""), new MemoryStream(new byte[100])));
        Assert.Contains("conv0/filters", e.Message);
        Assert.Contains("100-byte", e.Message);
        // A complete shard for a manifest that lacks the network's other tensors.
        e = Assert.Throws<InvalidDataException>(() => Mien.Models.Onnx.TinyFaceDetectorGraph.LoadWeights(
            Text("""[{"paths":["x.bin"],"weights":[{"name":"conv0/filters","shape":[3,3,3,16],"dtype":"float32"}]}]"""), new MemoryStream(new byte[4 * 432])));
        Assert.Contains("conv0/bias", e.Message);
        // Not a manifest at all.
        e = Assert.Throws<InvalidDataException>(() => Mien.Models.Onnx.TinyFaceDetectorGraph.LoadWeights(Text("{ \"weights\": 3 }"), new MemoryStream()));
        Assert.Contains("manifest", e.Message);
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void The_committed_onnx_network_is_what_the_converter_writes_from_the_face_api_files()
    {
        string dir = Path.Combine(TestData.RepoRoot, "models", "detectors");
        byte[] now;
        using (var manifest = File.OpenRead(Path.Combine(dir, "tiny_face_detector_model-weights_manifest.json")))
        using (var shard = File.OpenRead(Path.Combine(dir, "tiny_face_detector_model.bin")))
            now = Mien.Models.Onnx.TinyFaceDetectorGraph.Convert(manifest, shard);
        string path = Path.Combine(dir, "tiny_face_detector.onnx");
        // To regenerate after changing the converter: MIEN_REGENERATE=1 ./test.sh --filter The_committed_onnx_network
        if (Environment.GetEnvironmentVariable("MIEN_REGENERATE") == "1") File.WriteAllBytes(path, now);
        byte[] committed = File.ReadAllBytes(path);
        Assert.True(committed.AsSpan().SequenceEqual(now),
            $"models/detectors/tiny_face_detector.onnx ({committed.Length:N0} bytes) is stale: the converter writes {now.Length:N0} bytes. Regenerate: MIEN_REGENERATE=1 ./test.sh --filter The_committed_onnx_network");
    }

    [Theory]
    [Trait("Tier", "Fast")]
    [InlineData(100)]
    [InlineData(330)]
    public void An_input_size_that_is_not_a_multiple_of_32_in_range_is_refused(int size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny", NetworkInputSize = size }));
}

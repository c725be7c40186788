using Mien.Data;
using Mien.Faces;
using OpenCvSharp;

namespace Mien.Tests.Faces;

public sealed class ChainedFaceDetectorTests
{
    [Fact]
    public void The_default_is_the_cnn_then_the_cascade()
    {
        Assert.Equal("tiny+haar-alt", new FaceDetectorOptions().Detector);
        using var chain = FaceDetectors.Create();
        Assert.IsType<ChainedFaceDetector>(chain);
    }

    [Fact]
    public void Where_the_first_detector_finds_a_face_its_boxes_are_the_answer()
    {
        using var chain = FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny+haar-alt" });
        using var tiny = FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny" });
        using var astronaut = TestPhotos.Load("astronaut.png");
        var expected = tiny.Detect(astronaut);
        Assert.Single(expected);
        Assert.Equal(expected, chain.Detect(astronaut));
        using var cat = TestPhotos.Load("chelsea.png");
        Assert.Empty(chain.Detect(cat));
    }

    [Fact]
    public void Where_the_first_finds_none_the_second_is_asked()
    {
        // Tight CK+48 crops enlarged to 96 px in a 640x480 frame of their own edges: the cascade finds most of them, the
        // CNN fewer (docs/BENCHMARKS.md). On those the CNN misses, the chain must give the cascade's boxes.
        var ck = DatasetLoader.Load(TestData.CkPlusZip);
        using var chain = FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny+haar-alt" });
        using var tiny = FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny" });
        using var haar = FaceDetectors.Create(new FaceDetectorOptions { Detector = "haar-alt" });
        int rescued = 0;
        for (int i = 0; i < ck.Count && rescued < 3; i += 7)
        {
            using var frame = Framed(ck, i, 96);
            if (tiny.Detect(frame).Count > 0) continue;
            var fromHaar = haar.Detect(frame);
            if (fromHaar.Count == 0) continue;
            Assert.Equal(fromHaar, chain.Detect(frame));
            rescued++;
        }
        Assert.Equal(3, rescued);
    }

    [Fact]
    public void A_bad_part_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny+nonesuch" }));
        Assert.Contains("'nonesuch'", e.Message);
        e = Assert.Throws<ArgumentException>(() => FaceDetectors.Create(new FaceDetectorOptions { Detector = "tiny+" }));
        Assert.Contains("empty name", e.Message);
    }

    private static Mat Framed(FaceDataset ds, int index, int side)
    {
        using var face = new Mat(ds.Height, ds.Width, MatType.CV_8UC1);
        System.Runtime.InteropServices.Marshal.Copy(ds.Image(index).ToArray(), 0, face.Data, ds.Width * ds.Height);
        using var big = face.Resize(new Size(side, side), 0, 0, InterpolationFlags.Cubic);
        var frame = new Mat();
        int left = (640 - side) / 3, top = (480 - side) / 2;
        Cv2.CopyMakeBorder(big, frame, top, 480 - side - top, left, 640 - side - left, BorderTypes.Replicate);
        return frame;
    }
}

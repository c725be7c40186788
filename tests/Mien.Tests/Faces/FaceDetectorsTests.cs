using Mien.Faces;
using OpenCvSharp;

namespace Mien.Tests.Faces;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public sealed class FaceDetectorsTests
{
    [Theory]
    [InlineData("haar-default", "haarcascade_frontalface_default.xml")]
    [InlineData("HAAR-ALT2", "haarcascade_frontalface_alt2.xml")]
    [InlineData("lbp", "lbpcascade_frontalface_improved.xml")]
    public void Names_map_to_cascade_files(string name, string file)
    {
        using var detector = FaceDetectors.Create(new FaceDetectorOptions { Detector = name });
        Assert.Equal(file, Path.GetFileName(Assert.IsType<CascadeFaceDetector>(detector).CascadePath));
    }

    [Fact]
    public void Unknown_name_is_rejected_with_the_known_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => FaceDetectors.Create(new FaceDetectorOptions { Detector = "haar-defualt" }));
        Assert.Contains("haar-default", ex.Message);
        Assert.Contains("yunet:", ex.Message);
    }

    [Fact]
    public void Yunet_with_a_missing_model_names_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "mien-missing", "face_detection_yunet.onnx");
        var ex = Assert.Throws<FileNotFoundException>(() => FaceDetectors.Create(new FaceDetectorOptions { Detector = "yunet:" + path }));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceDetectors.Create(new FaceDetectorOptions { ScaleFactor = 1.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceDetectors.Create(new FaceDetectorOptions { MaxDetectionSide = -1 }));
    }

    [Fact]
    public void Registered_kinds_take_precedence()
    {
        var name = "fake-" + Guid.NewGuid();
        FaceDetectors.Register(n => n == name, _ => new FixedDetector());
        using var detector = FaceDetectors.Create(new FaceDetectorOptions { Detector = name });
        Assert.IsType<FixedDetector>(detector);
    }

    private sealed class FixedDetector : IFaceDetector
    {
        public IReadOnlyList<FaceBox> Detect(Mat image) => [];
        public void Dispose() { }
    }
}

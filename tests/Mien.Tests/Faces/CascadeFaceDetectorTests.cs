using System.Diagnostics;
using Mien.Faces;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Mien.Tests.Faces;

public sealed class CascadeFaceDetectorTests(ITestOutputHelper output)
{
    // The cascade under test: options without a detector name get haar-alt here, not the library default (tiny+haar-alt).
    private static readonly FaceDetectorOptions HaarAlt = new() { Detector = "haar-alt" };

    private static IReadOnlyList<FaceBox> DetectIn(string photo, FaceDetectorOptions? options = null)
    {
        using var detector = FaceDetectors.Create(options ?? HaarAlt);
        using var image = TestPhotos.Load(photo);
        return detector.Detect(image);
    }

    [Fact]
    public void Astronaut_has_exactly_one_face_in_the_upper_half()
    {
        using var image = TestPhotos.Load("astronaut.png");
        using var detector = FaceDetectors.Create(HaarAlt);
        var faces = detector.Detect(image);

        var face = Assert.Single(faces);
        output.WriteLine($"astronaut: {face}");
        Assert.InRange(face.Y + face.Height / 2, 0, image.Height / 2);
        Assert.InRange(face.X + face.Width / 2, image.Width / 4, image.Width * 3 / 4);
        Assert.InRange(face.Width, 100 - 10, 300); // measured 93 px: "100" with rounding slack for the Haar step
        Assert.True(face.Score >= 5, $"score {face.Score} should be at least MinNeighbors");

        // Timing for the report (median of 10 after a warm-up), not asserted: CI machines vary.
        detector.Detect(image);
        var times = Enumerable.Range(0, 10).Select(_ => { var sw = Stopwatch.StartNew(); detector.Detect(image); return sw.Elapsed.TotalMilliseconds; }).Order().ToList();
        output.WriteLine($"astronaut 512x512 default detector: median {times[5]:F1} ms, min {times[0]:F1} ms");
    }

    [Theory]
    [InlineData("coffee.png")]
    [InlineData("chelsea.png")] // a cat: the human frontal-face cascade must not fire on it
    public void Photos_without_human_faces_give_none(string photo)
    {
        Assert.Empty(DetectIn(photo));
    }

    [Fact]
    public void Messi_small_face_needs_a_lower_min_face()
    {
        // His face is small (~36 px) and turned: below the default minimum (48 px, the model's input side), so the
        // defaults skip it; asking for faces down to 30 px finds it, and only it.
        Assert.Empty(DetectIn("messi5.jpg"));
        var faces = DetectIn("messi5.jpg", HaarAlt with { MinFaceSize = 30 });
        foreach (var f in faces) output.WriteLine($"messi: {f}");
        var face = Assert.Single(faces);
        Assert.InRange(face.X + face.Width / 2, 225, 265);
        Assert.InRange(face.Y + face.Height / 2, 95, 130);
        Assert.InRange(face.Width, 30, 60);
    }

    [Fact]
    public void Gray_input_gives_the_same_box_as_color()
    {
        using var color = TestPhotos.Load("astronaut.png");
        // Converted here rather than decoded as gray: libpng's own gray conversion rounds differently.
        using var gray = color.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var detector = FaceDetectors.Create(HaarAlt);
        Assert.Equal(detector.Detect(color), detector.Detect(gray));
    }

    [Fact]
    public void Downscaled_detection_maps_boxes_back_to_full_resolution()
    {
        using var image = TestPhotos.Load("astronaut.png");
        using var big = image.Resize(new Size(image.Width * 2, image.Height * 2), 0, 0, InterpolationFlags.Cubic);
        using var detector = FaceDetectors.Create(HaarAlt);
        using var downscaling = FaceDetectors.Create(HaarAlt with { MaxDetectionSide = 512 });

        var small = Assert.Single(detector.Detect(image));
        var large = Assert.Single(downscaling.Detect(big));
        output.WriteLine($"original {small}, 2x image detected at 512: {large}");
        Assert.InRange(large.Width, small.Width * 2 * 0.85, small.Width * 2 * 1.15);
        Assert.InRange(large.X + large.Width / 2.0, (small.X + small.Width / 2.0) * 2 * 0.85, (small.X + small.Width / 2.0) * 2 * 1.15);
        Assert.InRange(large.Y + large.Height / 2.0, (small.Y + small.Height / 2.0) * 2 * 0.85, (small.Y + small.Height / 2.0) * 2 * 1.15);
    }

    [Fact]
    public void Every_face_is_returned_sorted_left_to_right()
    {
        // Two copies of the astronaut side by side (1024x512, so also downscaled to 640): both faces, not the largest.
        using var image = TestPhotos.Load("astronaut.png");
        using var pair = new Mat();
        Cv2.HConcat([image, image], pair);
        using var detector = FaceDetectors.Create(HaarAlt);
        var faces = detector.Detect(pair);

        Assert.Equal(2, faces.Count);
        Assert.True(faces[0].X < image.Width && faces[1].X >= image.Width, $"expected one face per half, left first: {string.Join(", ", faces)}");
        Assert.InRange(Math.Abs(faces[1].X - image.Width - faces[0].X), 0, 10);
    }

    [Fact]
    public void Lbp_and_alt2_cascades_find_the_astronaut()
    {
        foreach (var name in new[] { "haar-alt2", "lbp" })
        {
            var face = Assert.Single(DetectIn("astronaut.png", new FaceDetectorOptions { Detector = name }));
            output.WriteLine($"{name}: {face}");
            Assert.InRange(face.Y + face.Height / 2, 0, 256);
        }
    }

    [Fact]
    public void Overlapping_duplicates_are_suppressed_when_asked()
    {
        // At full resolution with step 1.1 (OpenCV's usual settings) haar-default puts a false box over Messi's shoulder that half-covers his face;
        // without suppression both are reported, and the default overlap limit keeps only the better box.
        var usual = new FaceDetectorOptions { Detector = "haar-default", MinFaceSize = 24, ScaleFactor = 1.1 };
        Assert.Equal(2, DetectIn("messi5.jpg", usual with { MaxOverlap = 1 }).Count);
        var face = Assert.Single(DetectIn("messi5.jpg", usual));
        Assert.InRange(face.Width, 30, 60);
    }

    [Fact]
    public void Concurrent_detection_matches_sequential()
    {
        string[] photos = ["astronaut.png", "messi5.jpg", "coffee.png", "chelsea.png"];
        var images = photos.Select(p => TestPhotos.Load(p)).ToArray();
        try
        {
            using var detector = FaceDetectors.Create(HaarAlt);
            var expected = images.Select(i => detector.Detect(i)).ToArray();
            var results = new IReadOnlyList<FaceBox>[4][];
            var errors = new Exception?[4];
            using var start = new Barrier(4);
            var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
            {
                // Exceptions are caught so an unsafe detector fails this test instead of crashing the test host.
                try
                {
                    start.SignalAndWait();
                    // Each thread walks the photos in a different order so different images overlap in time.
                    results[t] = new IReadOnlyList<FaceBox>[images.Length * 2];
                    for (int k = 0; k < results[t].Length; k++) results[t][k] = detector.Detect(images[(k + t) % images.Length]);
                }
                catch (Exception e)
                {
                    errors[t] = e;
                }
            })).ToList();
            threads.ForEach(th => th.Start());
            threads.ForEach(th => th.Join());

            Assert.All(errors, e => Assert.True(e is null, $"Detect threw on a worker thread: {e}"));
            for (int t = 0; t < 4; t++)
                for (int k = 0; k < results[t].Length; k++)
                    Assert.Equal(expected[(k + t) % images.Length], results[t][k]);
        }
        finally
        {
            foreach (var i in images) i.Dispose();
        }
    }

    [Fact]
    public void Missing_cascade_file_names_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "mien-no-such-dir", "face.xml");
        var ex = Assert.Throws<FileNotFoundException>(() => FaceDetectors.Create(new FaceDetectorOptions { Detector = path }));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Missing_named_cascade_lists_searched_paths_and_the_package()
    {
        var empty = Directory.CreateTempSubdirectory("mien-cascades-").FullName;
        try
        {
            var ex = Assert.Throws<FileNotFoundException>(() => FaceDetectors.Create(new FaceDetectorOptions { CascadeDirectory = empty }));
            Assert.Contains(Path.Combine(empty, "haarcascades", "haarcascade_frontalface_alt.xml"), ex.Message);
            Assert.Contains("opencv-data", ex.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void Cascade_directory_override_accepts_a_flat_folder()
    {
        var dir = Directory.CreateTempSubdirectory("mien-cascades-").FullName;
        try
        {
            var source = CascadeFaceDetector.ResolveCascadePath("lbp");
            File.Copy(source, Path.Combine(dir, Path.GetFileName(source)));
            using var detector = new CascadeFaceDetector(new FaceDetectorOptions { Detector = "lbp", CascadeDirectory = dir });
            Assert.Equal(Path.Combine(dir, Path.GetFileName(source)), detector.CascadePath);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Disposed_detector_refuses_work()
    {
        var detector = FaceDetectors.Create(HaarAlt);
        detector.Dispose();
        detector.Dispose(); // idempotent
        using var image = TestPhotos.Load("coffee.png");
        Assert.Throws<ObjectDisposedException>(() => detector.Detect(image));
    }
}

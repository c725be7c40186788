using System.IO.Compression;
using System.Text;
using Mien.Data;

namespace Mien.Tests.Data;

public class DatasetLoaderTests
{
    [Fact]
    public void Ckplus_zip_has_the_documented_counts_and_subjects()
    {
        var d = DatasetLoader.Load(TestData.CkPlusZip);
        Assert.Equal(981, d.Count);
        Assert.Equal([135, 177, 75, 207, 84, 249, 54], d.ClassCounts());
        Assert.Equal(118, d.Subjects.Distinct().Count());
        Assert.All(d.Subjects, s => Assert.Matches(@"^S\d{3}$", s!));
        Assert.Empty(d.Problems);
    }

    [Fact]
    public void Zip_and_extracted_folder_give_the_same_dataset()
    {
        using var tmp = TestData.NewTempDir();
        ZipFile.ExtractToDirectory(TestData.CkPlusZip, tmp.Path);
        var fromZip = DatasetLoader.Load(TestData.CkPlusZip);
        var fromFolder = DatasetLoader.Load(tmp.Path);
        Assert.Equal(fromZip.ClassNames, fromFolder.ClassNames);
        Assert.Equal(fromZip.Labels, fromFolder.Labels);
        Assert.Equal(fromZip.Subjects, fromFolder.Subjects);
        Assert.Equal(fromZip.Sources, fromFolder.Sources);
        Assert.True(fromZip.Pixels.AsSpan().SequenceEqual(fromFolder.Pixels));
    }

    [Fact]
    public void Fer_image_folders_become_the_predefined_split()
    {
        var d = DatasetLoader.Load(TestData.Fer2013Zip, new DatasetLoadOptions { Limit = 700 });
        Assert.True(d.HasSplit("train") && d.HasSplit("test"));
        Assert.Contains("anger", d.ClassNames);
        Assert.Contains("sadness", d.ClassNames);
        Assert.DoesNotContain("angry", d.ClassNames);
    }

    [Fact]
    public void Resizes_to_the_requested_size()
    {
        var d = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { ImageSize = 32, Limit = 50 });
        Assert.Equal(32, d.Width);
        Assert.Equal(50 * 32 * 32, d.Pixels.Length);
    }

    [Fact]
    public void A_corrupt_image_is_skipped_reported_and_the_rest_kept()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp.Path, new Dictionary<string, int> { ["happy"] = 5, ["sad"] = 5 });
        File.WriteAllBytes(tmp["happy/broken.png"], [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        File.WriteAllBytes(tmp["sad/empty.jpg"], []);
        File.Copy(TestData.Shared("photos/truncated.jpg"), tmp["sad/truncated.jpg"]);
        var d = DatasetLoader.Load(tmp.Path);
        Assert.Equal(10, d.Count);
        Assert.Equal(3, d.Problems.Count);
        Assert.Contains(d.Problems, p => p.Item == "happy/broken.png");
        Assert.Contains(d.Problems, p => p.Item == "sad/empty.jpg" && p.Reason.Contains("empty"));
        Assert.Contains(d.Problems, p => p.Item == "sad/truncated.jpg" && p.Reason.Contains("truncated"));
    }

    [Fact]
    public void Reads_16_bit_and_colour_tiff_bmp_jpeg()
    {
        using var tmp = TestData.NewTempDir();
        Directory.CreateDirectory(tmp["happy"]);
        using (var m16 = new OpenCvSharp.Mat(60, 60, OpenCvSharp.MatType.CV_16UC1, new OpenCvSharp.Scalar(65535)))
            OpenCvSharp.Cv2.ImWrite(tmp["happy/a.tiff"], m16);
        using (var c = new OpenCvSharp.Mat(40, 40, OpenCvSharp.MatType.CV_8UC3, new OpenCvSharp.Scalar(255, 255, 255)))
        {
            OpenCvSharp.Cv2.ImWrite(tmp["happy/b.bmp"], c);
            OpenCvSharp.Cv2.ImWrite(tmp["happy/c.jpg"], c);
            OpenCvSharp.Cv2.ImWrite(tmp["happy/d.png"], c);
        }
        Directory.CreateDirectory(tmp["sad"]);
        File.Copy(tmp["happy/b.bmp"], tmp["sad/e.bmp"]);
        var d = DatasetLoader.Load(tmp.Path);
        Assert.Empty(d.Problems);
        Assert.Equal(5, d.Count);
        Assert.All(d.Pixels, p => Assert.True(p >= 250, $"white stays white, got {p}"));
    }

    [Fact]
    public void Crop_faces_keeps_the_face_of_whole_photos_and_reports_photos_without_one()
    {
        using var tmp = TestData.NewTempDir();
        Directory.CreateDirectory(tmp["happy"]);
        Directory.CreateDirectory(tmp["neutral"]);
        File.Copy(TestData.Shared("photos/astronaut.png"), tmp["happy/astronaut.png"]);
        File.Copy(TestData.Shared("photos/messi5.jpg"), tmp["neutral/messi.jpg"]);
        File.Copy(TestData.Shared("photos/coffee.png"), tmp["neutral/coffee.png"]);
        // Messi's face is ~36 px, below the default minimum face size.
        var d = DatasetLoader.Load(tmp.Path, new DatasetLoadOptions { CropFaces = new Mien.Faces.FaceDetectorOptions { MinFaceSize = 30 } });
        Assert.Equal(2, d.Count);
        var problem = Assert.Single(d.Problems);
        Assert.Equal("neutral/coffee.png", problem.Item);
        Assert.Contains("no face", problem.Reason);
        Assert.Equal("512x512", d.OriginalSizes.Keys.First(k => k.StartsWith("512")));
    }

    [Fact]
    public void Missing_path_is_a_clear_error() =>
        Assert.Contains("/no/such/dataset", Assert.Throws<MienDataException>(() => DatasetLoader.Load("/no/such/dataset")).Message);

    [Fact]
    public void Archive_without_images_is_refused()
    {
        using var tmp = TestData.NewTempDir();
        string zip = tmp["notes.zip"];
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        using (var w = new StreamWriter(z.CreateEntry("readme.txt").Open())) w.Write("no faces here");
        var e = Assert.Throws<MienDataException>(() => DatasetLoader.Load(zip));
        Assert.Contains("no dataset", e.Message);
    }

    [Fact]
    public void Empty_class_folder_is_refused_by_name()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp.Path, new Dictionary<string, int> { ["happy"] = 3, ["sad"] = 3 });
        Directory.CreateDirectory(tmp["fear"]);
        var e = Assert.Throws<MienDataException>(() => DatasetLoader.Load(tmp.Path));
        Assert.Contains("'fear'", e.Message);
    }

    [Fact]
    public void Class_whose_images_are_all_unreadable_is_refused()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp.Path, new Dictionary<string, int> { ["happy"] = 3 });
        Directory.CreateDirectory(tmp["sad"]);
        File.WriteAllText(tmp["sad/x.png"], "not an image");
        var e = Assert.Throws<MienDataException>(() => DatasetLoader.Load(tmp.Path));
        Assert.Contains("sadness", e.Message);
    }

    [Fact]
    public void Zip_entry_escaping_the_root_is_refused()
    {
        using var tmp = TestData.NewTempDir();
        string zip = tmp["evil.zip"];
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            z.CreateEntryFromFile(TestData.Shared("photos/astronaut.png"), "happy/ok.png");
            z.CreateEntryFromFile(TestData.Shared("photos/astronaut.png"), "../../evil/x.png");
        }
        var e = Assert.Throws<MienDataException>(() => DatasetLoader.Load(zip));
        Assert.Contains("escapes", e.Message);
    }

    [Fact]
    public void Zip_bomb_entry_is_refused()
    {
        using var tmp = TestData.NewTempDir();
        string zip = tmp["bomb.zip"];
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        using (var s = z.CreateEntry("happy/huge.png", CompressionLevel.SmallestSize).Open())
            s.Write(new byte[8 << 20]);
        var e = Assert.Throws<MienDataException>(() => DatasetLoader.Load(zip));
        Assert.Contains("zip bomb", e.Message);
    }

    [Fact]
    public void Huge_image_is_refused_before_decoding()
    {
        using var tmp = TestData.NewTempDir();
        Directory.CreateDirectory(tmp["happy"]);
        // A PNG header claiming 100000 x 100000 pixels.
        var png = new byte[64];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(png, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 100_000);
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.DecodeGray(png));
        Assert.Contains("pixel limit", e.Message);
    }
}

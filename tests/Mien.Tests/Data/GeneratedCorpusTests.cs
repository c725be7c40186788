using Mien.Data;
using OpenCvSharp;

namespace Mien.Tests.Data;

/// <summary>Small generated oddities (docs/RELIABILITY.md): each loads or is reported, and never stops the rest.</summary>
[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class GeneratedCorpusTests
{
    // A 1x1 GIF89a with two frames (an animation): the smallest file of its kind.
    private static readonly byte[] AnimatedGif =
    [
        .. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0xFF, 0xFF, 0xFF, 0, 0, 0,
        0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0,
        0x21, 0xF9, 4, 0, 10, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0,
        0x21, 0xF9, 4, 0, 10, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 1, 0,
        0x3B,
    ];

    [Fact]
    public void One_pixel_images_animated_gifs_and_unicode_names_load_or_are_reported()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp.Path, new Dictionary<string, int> { ["happy"] = 2, ["sad"] = 2 });
        using (var one = new Mat(1, 1, MatType.CV_8UC1, new Scalar(77))) Cv2.ImWrite(tmp["happy/one-pixel.png"], one);
        Directory.CreateDirectory(tmp["sad/visages-été-日本"]);
        File.Copy(tmp["happy/one-pixel.png"], tmp["sad/visages-été-日本/ça-va-😀.png"]);
        File.WriteAllBytes(tmp["happy/anim.gif"], AnimatedGif);

        var d = DatasetLoader.Load(tmp.Path);
        Assert.Empty(d.Problems);
        Assert.Equal(6, d.Count);
        Assert.Contains("sad/visages-été-日本/ça-va-😀.png", d.Sources);
        Assert.Equal(2, d.OriginalSizes["1x1"]);
        int k = Array.IndexOf(d.Sources.ToArray(), "happy/one-pixel.png");
        Assert.All(d.Pixels.AsSpan(k * 48 * 48, 48 * 48).ToArray(), p => Assert.Equal(77, p));

        // The animated GIF decodes to its first frame wherever it is named directly.
        using var gif = ImageDecoder.DecodeGray(AnimatedGif);
        Assert.Equal((1, 1), (gif.Width, gif.Height));

        // The same tree zipped: names inside the archive keep their unicode.
        TestData.Zip(tmp.Path, tmp["../" + Path.GetFileName(tmp.Path) + ".zip"]);
        string zip = tmp.Path + ".zip";
        try { Assert.Contains(DatasetLoader.Load(zip).Sources, s => s.EndsWith("ça-va-😀.png", StringComparison.Ordinal)); }
        finally { File.Delete(zip); }
    }
}

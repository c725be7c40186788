using System.IO.Compression;
using Mien.Models;

namespace Mien.Tests.Models;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class EmotionModelTests
{
    private static readonly string[] Classes = ["anger", "happy", "sadness"];

    [Fact]
    public void Save_then_load_gives_identical_outputs_and_metadata()
    {
        using var tmp = TestData.NewTempDir();
        using var model = EmotionModel.Create(ModelZoo.GetSpec("vgg-small"), Classes, 0.5f, 0.25f);
        model.Network.eval();
        var pixels = new byte[4 * 48 * 48];
        new Random(3).NextBytes(pixels);
        var before = model.PredictProbabilities(pixels, 4);
        model.Save(tmp["m.mien"]);
        using var loaded = EmotionModel.Load(tmp["m.mien"], InferencePrecision.Float32);
        Assert.Equal(InferencePrecision.Float32, loaded.Precision);
        var after = loaded.PredictProbabilities(pixels, 4);
        // Loaded models run compiled (batch norm folded): equal up to float rounding.
        for (int i = 0; i < 4; i++) for (int k = 0; k < Classes.Length; k++) Assert.Equal(before[i][k], after[i][k], 1e-5f);
        Assert.Equal(Classes, loaded.ClassNames);
        Assert.Equal(0.5f, loaded.Metadata.Mean);
        Assert.Equal(0.25f, loaded.Metadata.Std);
        Assert.Equal("vgg-small", loaded.Metadata.Spec.Name);
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp"));
    }

    [Fact]
    public void Missing_model_file_is_a_clear_error() =>
        Assert.Contains("/nope/m.mien", Assert.Throws<ModelFormatException>(() => EmotionModel.Load("/nope/m.mien")).Message);

    [Fact]
    public void Corrupt_and_truncated_model_files_are_clear_errors()
    {
        using var tmp = TestData.NewTempDir();
        File.WriteAllText(tmp["garbage.mien"], "not a model");
        Assert.Contains("garbage.mien", Assert.Throws<ModelFormatException>(() => EmotionModel.Load(tmp["garbage.mien"])).Message);

        using var model = EmotionModel.Create(ModelZoo.GetSpec("mini-xception"), Classes, 0.5f, 0.25f);
        model.Save(tmp["good.mien"]);
        var bytes = File.ReadAllBytes(tmp["good.mien"]);
        File.WriteAllBytes(tmp["cut.mien"], bytes[..(bytes.Length / 2)]);
        Assert.Throws<ModelFormatException>(() => EmotionModel.Load(tmp["cut.mien"]));

        // A zip that is not a model.
        using (var z = ZipFile.Open(tmp["other.mien"], ZipArchiveMode.Create)) z.CreateEntry("hello.txt");
        Assert.Contains("metadata.json", Assert.Throws<ModelFormatException>(() => EmotionModel.Load(tmp["other.mien"])).Message);
    }
}

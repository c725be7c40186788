using Mien.IO;
using Mien.Training;

namespace Mien.Tests.IO;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class MienJsonTests
{
    [Fact]
    public void What_is_written_reads_back_including_NaN_and_infinity_in_snake_case()
    {
        using var tmp = TestData.NewTempDir();
        var history = new List<EpochMetrics> { new(1, double.NaN, 0.5, double.PositiveInfinity, 0.25, 1e-3, 2, 100) };
        MienJson.Write(tmp["h.json"], history);
        string text = File.ReadAllText(tmp["h.json"]);
        Assert.Contains("\"train_loss\": \"NaN\"", text);
        Assert.Contains("\"validation_accuracy\": 0.25", text);
        var back = MienJson.Read<List<EpochMetrics>>(tmp["h.json"]);
        Assert.True(double.IsNaN(back[0].TrainLoss));
        Assert.True(double.IsPositiveInfinity(back[0].ValidationLoss));
        Assert.False(File.Exists(tmp["h.json.tmp"]));
    }

    [Fact]
    public void A_malformed_file_is_named_in_the_error()
    {
        using var tmp = TestData.NewTempDir();
        File.WriteAllText(tmp["bad.json"], "{ \"epoch\": ");
        var e = Assert.Throws<MienException>(() => MienJson.Read<EpochMetrics>(tmp["bad.json"]));
        Assert.Contains("bad.json", e.Message);
    }
}

using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Mien.Models;

namespace Mien.Tests.Models;

/// <summary>Issue #11: layer specs and .mien files are untrusted text; absurd sizes are refused before any allocation.</summary>
[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class HostileModelTests
{
    private static readonly string[] Classes = ["anger", "happy", "sadness"];

    private static string Dense(string units) => $$"""{ "input_size": 48, "layers": [ { "type": "flatten" }, { "type": "dense", "units": {{units}} } ] }""";

    [Fact]
    public void A_spec_with_absurd_sizes_is_refused_before_allocating()
    {
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson(Dense("2000000000"), "huge.json"));
        Assert.Contains("huge.json", e.Message);
        Assert.Contains("parameters", e.Message);
        Assert.Contains("limit", e.Message);
        // 2e9 is not an integer for JSON readers: a clear parse error, naming the file.
        Assert.Contains("huge.json", Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson(Dense("2e9"), "huge.json")).Message);

        // Many layers that each fit but together would not.
        var layers = string.Join(", ", Enumerable.Repeat("""{ "type": "dense", "units": 8000 }""", 8));
        e = Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson($$"""{ "input_size": 48, "layers": [ { "type": "flatten" }, {{layers}} ] }"""));
        Assert.Contains("parameters", e.Message);

        // A convolution whose output alone is gigabytes per image.
        e = Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson("""{ "input_size": 512, "layers": [ { "type": "conv2d", "filters": 100000, "kernel": 1 }, { "type": "global_avg_pool" } ] }"""));
        Assert.Contains("values per image", e.Message);
        e = Assert.Throws<ModelSpecException>(() => ModelSpec.FromJson("""{ "input_size": 48, "layers": [ { "type": "conv2d", "filters": 8, "kernel": 3, "padding": "2000000000" }, { "type": "global_avg_pool" } ] }"""));
        Assert.Contains("values per image", e.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    private static string WriteModel(TempDir tmp, string name, Action<JsonObject>? editMetadata = null, byte[]? weights = null)
    {
        string good = tmp["good.mien"];
        if (!File.Exists(good))
            using (var model = EmotionModel.Create(ModelZoo.GetSpec("vgg-small"), Classes, 0.5f, 0.25f)) model.Save(good);
        string path = tmp[name];
        File.Copy(good, path, overwrite: true);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        if (editMetadata is not null)
        {
            var entry = zip.GetEntry("metadata.json")!;
            JsonObject meta;
            using (var s = entry.Open()) meta = JsonNode.Parse(s)!.AsObject();
            editMetadata(meta);
            entry.Delete();
            using var w = new StreamWriter(zip.CreateEntry("metadata.json").Open());
            w.Write(meta.ToJsonString());
        }
        if (weights is not null)
        {
            zip.GetEntry("weights.bin")!.Delete();
            using var s = zip.CreateEntry("weights.bin", CompressionLevel.SmallestSize).Open();
            s.Write(weights);
        }
        return path;
    }

    [Fact]
    public void A_crafted_model_file_is_refused_with_its_name_and_bounded_memory()
    {
        using var tmp = TestData.NewTempDir();
        var sw = Stopwatch.StartNew();

        var e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(WriteModel(tmp, "input4000.mien", m => m["input_size"] = 4000)));
        Assert.Contains("input4000.mien", e.Message);
        Assert.Contains("input_size 4000", e.Message);

        e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(WriteModel(tmp, "spec4000.mien", m => { m["input_size"] = 4000; m["spec"]!["input_size"] = 4000; })));
        Assert.Contains("spec4000.mien", e.Message);
        Assert.Contains("8..512", e.Message);

        e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(WriteModel(tmp, "dense.mien",
            m => m["spec"] = JsonNode.Parse(Dense("2000000000")))));
        Assert.Contains("parameters", e.Message);

        e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(WriteModel(tmp, "std0.mien", m => m["std"] = 0)));
        Assert.Contains("std", e.Message);

        // weights.bin far larger than the network it describes (a zip bomb in a model): refused unread.
        e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(WriteModel(tmp, "bomb.mien", weights: new byte[200 << 20])));
        Assert.Contains("weights.bin", e.Message);

        // A tensor in weights.bin that claims 2^40 elements.
        using (var reference = EmotionModel.Create(ModelZoo.GetSpec("vgg-small"), Classes, 0.5f, 0.25f))
        {
            var sd = reference.Network.state_dict();
            using var ms = new MemoryStream();
            using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                w.Write7BitEncodedInt64(sd.Count);
                w.Write(sd.Keys.First());
                w.Write7BitEncodedInt64((long)TorchSharp.torch.ScalarType.Float32);
                w.Write7BitEncodedInt64(1);
                w.Write7BitEncodedInt64(1L << 40);
            }
            e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(WriteModel(tmp, "tensor.mien", weights: ms.ToArray())));
            Assert.Contains("tensor.mien", e.Message);
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");

        // The untouched copy still loads.
        using var ok = EmotionModel.Load(tmp["good.mien"]);
        Assert.Equal(Classes, ok.ClassNames);
    }
}

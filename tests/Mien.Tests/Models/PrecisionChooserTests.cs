using System.Text.Json.Nodes;
using Mien.Inference;
using Mien.Models;
using Mien.Runtime;

namespace Mien.Tests.Models;

/// <summary>Auto precision is measured per CPU and network, and the measurement is cached.</summary>
[Collection(PrecisionCacheCollection.Name)]
public class PrecisionChooserTests
{
    private static readonly byte[] Faces = new byte[4 * 48 * 48];

    [Fact]
    public void Auto_measures_both_precisions_once_caches_the_winner_and_follows_the_cache()
    {
        using var tmp = TestData.NewTempDir();
        PrecisionChooser.CacheDirectoryOverride = tmp.Path;
        PrecisionChooser.ForgetMeasurements();
        try
        {
            InferencePrecision chosen;
            using (var model = DefaultModel.Load(InferencePrecision.Auto))
            {
                model.PredictProbabilities(Faces, 4);
                chosen = model.Precision!.Value;
            }
            string file = Path.Combine(tmp.Path, "precision.json");
            if (!CpuFeatures.HasNativeBFloat16)
            {
                // Emulated bf16 is never worth a measurement.
                Assert.Equal(InferencePrecision.Float32, chosen);
                Assert.False(File.Exists(file));
                return;
            }
            var entry = JsonNode.Parse(File.ReadAllText(file))!.AsObject().Single();
            Assert.Contains(CpuFeatures.ModelName, entry.Key);
            Assert.Contains("vgg-small", entry.Key);
            Assert.Equal(chosen.ToString(), (string?)entry.Value!["choice"]);
            foreach (var field in new[] { "fp32_batch1", "bf16_batch1", "fp32_batch64", "bf16_batch64" }) Assert.True((double)entry.Value[field]! > 0, field);

            // A new process (forgotten in memory) follows the file, even when it says the other precision.
            var other = chosen == InferencePrecision.Float32 ? InferencePrecision.BFloat16 : InferencePrecision.Float32;
            var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            json[entry.Key]!["choice"] = other.ToString();
            File.WriteAllText(file, json.ToJsonString());
            PrecisionChooser.ForgetMeasurements();
            using (var model = DefaultModel.Load(InferencePrecision.Auto))
            {
                model.PredictProbabilities(Faces, 4);
                Assert.Equal(other, model.Precision);
            }
            // An explicit precision ignores the cache; a corrupt cache is measured afresh, not an error.
            using (var fp32 = DefaultModel.Load(InferencePrecision.Float32)) { fp32.PredictProbabilities(Faces, 4); Assert.Equal(InferencePrecision.Float32, fp32.Precision); }
            File.WriteAllText(file, "{ not json");
            PrecisionChooser.ForgetMeasurements();
            using (var model = DefaultModel.Load(InferencePrecision.Auto)) { model.PredictProbabilities(Faces, 4); Assert.NotNull(model.Precision); }
            Assert.NotNull(JsonNode.Parse(File.ReadAllText(file))); // rewritten whole
        }
        finally
        {
            PrecisionChooser.CacheDirectoryOverride = null;
            PrecisionChooser.ForgetMeasurements();
        }
    }
}

/// <summary>Tests that redirect the precision cache run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PrecisionCacheCollection
{
    public const string Name = "precision cache";
}

using System.IO.Compression;
using System.Text.Json.Nodes;
using Mien.Data;
using Mien.Evaluation;
using Mien.Inference;
using Mien.Models;
using Xunit.Abstractions;

namespace Mien.Tests.Evaluation;

/// <summary>The bundled model and ~1,500 of FER2013's PublicTest faces (held out from its training), loaded once.</summary>
public sealed class PublicTestFixture : IDisposable
{
    public PublicTestFixture()
    {
        Data = DatasetLoader.Load(TestData.Fer2013PublicTestZip);
        // 5 faces in 12, spread over the archive (sorted by class): ~1,500, every class in its share.
        Indices = [.. Data.IndicesOfSplit("test").Where(i => i % 12 < 5)];
        // The bundled network without its temperature and prior correction (fitted on FER+ votes): here it is calibrated afresh against
        // FER2013's own labels, on faces it was not selected on... and measured on the other half.
        using (var bundled = DefaultModel.Load()) Model = bundled.WithMetadata(bundled.Metadata with { Temperature = 1, LogitBias = null });
        Shipped = Calibrator.Fit(Model, Data, Indices, fitFraction: 0.5, seed: 42);
    }

    public FaceDataset Data { get; }
    public int[] Indices { get; }
    public EmotionModel Model { get; }

    /// <summary>The bundled network at temperature 1, calibrated on one stratified half, measured on the other.</summary>
    public CalibrationResult Shipped { get; }

    public void Dispose() => Model.Dispose();
}

public class ModelCalibrationTests(PublicTestFixture fx, ITestOutputHelper output) : IClassFixture<PublicTestFixture>
{
    private static string Describe(CalibrationResult r) =>
        $"T {r.PreviousTemperature:F3} -> {r.Temperature:F4}; fitted on {r.FitIndices.Count}, measured on {r.EvaluationIndices.Count}: " +
        $"ECE {r.EceBefore:F4} -> {r.EceAfter:F4}, NLL {r.NllBefore:F4} -> {r.NllAfter:F4}, accuracy {r.Accuracy:P2}";

    [Fact]
    public void The_bundled_model_is_measured_on_the_half_it_was_not_fitted_on()
    {
        var r = fx.Shipped;
        output.WriteLine("bundled model: " + Describe(r));
        Assert.True(fx.Indices.Length >= 1400, $"only {fx.Indices.Length} faces");
        Assert.Empty(r.FitIndices.Intersect(r.EvaluationIndices));
        Assert.Equal(fx.Indices.Order(), r.FitIndices.Concat(r.EvaluationIndices).Order());
        // Stratified: every class splits in half, to within one face.
        var fit = fx.Data.ClassCounts(r.FitIndices);
        var eval = fx.Data.ClassCounts(r.EvaluationIndices);
        for (int c = 0; c < fit.Length; c++) Assert.InRange(fit[c] - eval[c], -1, 1);
        Assert.Equal(1, r.PreviousTemperature);
        // Trained on FER+'s ten-annotator votes, the network is over-confident against FER2013's single labels (where the
        // two disagree it is sure of FER+'s answer): the fitted temperature is above 1, and it must lower the held-out NLL it
        // was chosen for and the ECE. Measured 2026-12-01 (the bundled model since then): T 1.69, ECE 0.106 -> 0.058, NLL
        // 1.244 -> 1.141 on 745 held-out faces. (Against FER+'s majority the same network wants T = 0.63, which it ships
        // with, with its prior correction: MODEL_CARD.md.)
        Assert.InRange(r.Temperature, 0.5, 2.5);
        Assert.True(r.NllAfter < r.NllBefore, Describe(r));
        Assert.True(r.EceAfter < r.EceBefore, Describe(r));
    }

    [Fact]
    public void Calibration_lowers_ece_on_the_held_out_half_for_an_overconfident_model()
    {
        // The bundled network at T = 0.4: as overconfident as a net trained too long. Same data and split as the shipped fit.
        using var hot = fx.Model.WithMetadata(fx.Model.Metadata with { Temperature = 0.4 });
        var r = Calibrator.Fit(hot, fx.Data, fx.Indices, fitFraction: 0.5, seed: 42);
        output.WriteLine("at T = 0.4: " + Describe(r));
        Assert.True(r.EceBefore > 0.1, Describe(r));
        Assert.True(r.EceAfter < r.EceBefore / 2, Describe(r));
        Assert.True(r.NllAfter < r.NllBefore, Describe(r));
        Assert.Equal(fx.Shipped.Accuracy, r.Accuracy, 9); // a temperature never changes the winner
        // The optimum does not depend on where one starts: it lands on the shipped model's temperature.
        Assert.Equal(fx.Shipped.Temperature, r.Temperature, 0.02);
    }

    [Fact]
    public void The_saved_calibrated_model_predicts_the_calibrated_probabilities()
    {
        using var tmp = TestData.NewTempDir();
        using (var calibrated = fx.Shipped.ApplyTo(fx.Model)) calibrated.Save(tmp["calibrated.mien"]);
        using var reloaded = EmotionModel.Load(tmp["calibrated.mien"]);
        Assert.Equal(fx.Shipped.Temperature, reloaded.Metadata.Temperature);
        Assert.Equal(1, fx.Model.Metadata.Temperature); // the original is untouched

        var sample = fx.Shipped.EvaluationIndices.Take(200).ToArray();
        var original = Evaluator.PredictProbabilities(fx.Model, fx.Data, sample);
        var expected = Calibration.Rescale(original, fx.Shipped.Temperature);
        var actual = Evaluator.PredictProbabilities(reloaded, fx.Data, sample);
        double worst = 0;
        for (int i = 0; i < sample.Length; i++)
        {
            Assert.Equal(Evaluator.ArgMax(original[i]), Evaluator.ArgMax(actual[i]));
            for (int c = 0; c < actual[i].Length; c++) worst = Math.Max(worst, Math.Abs(expected[i][c] - actual[i][c]));
        }
        Assert.True(worst < 1e-4, $"reloaded probabilities differ from softmax(logits / T) by up to {worst:G3}");

        // Evaluate reports the ECE of exactly these probabilities.
        var report = Evaluator.Evaluate(reloaded, fx.Data, sample);
        Assert.Equal(Calibration.ExpectedCalibrationError(actual, Evaluator.ModelLabels(reloaded, fx.Data, sample)), report.ExpectedCalibrationError, 9);
        Assert.Contains("ECE", report.ToText());
    }

    [Fact]
    public void Model_files_without_a_temperature_load_with_one_and_a_bad_temperature_is_a_clear_error()
    {
        // A model file from before the field existed: the bundled one with its temperature removed.
        using var tmp = TestData.NewTempDir();
        string path = tmp["old.mien"];
        using (var s = typeof(DefaultModel).Assembly.GetManifestResourceStream("Mien.default.mien")!)
        using (var f = File.Create(path)) s.CopyTo(f);
        EditMetadata(path, json => Assert.True(json.Remove("temperature")));
        using (var old = EmotionModel.Load(path)) Assert.Equal(1, old.Metadata.Temperature);

        EditMetadata(path, json => json["temperature"] = -2);
        var e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(path));
        Assert.Contains("temperature", e.Message);
    }

    [Fact]
    public void A_live_network_divides_its_logits_by_the_temperature_too()
    {
        using var live = TinyLiveModel();
        using var hot = live.WithMetadata(live.Metadata with { Temperature = 0.05 });
        Assert.Null(hot.Precision); // still the live network, not compiled
        var pixels = new byte[3 * 48 * 48];
        new Random(5).NextBytes(pixels);
        var p1 = live.PredictProbabilities(pixels, 3);
        var expected = Calibration.Rescale(p1, 0.05);
        var actual = hot.PredictProbabilities(pixels, 3);
        for (int i = 0; i < 3; i++) for (int c = 0; c < 3; c++) Assert.Equal(expected[i][c], actual[i][c], 1e-4f);
        Assert.Throws<ArgumentOutOfRangeException>(() => live.WithMetadata(live.Metadata with { Temperature = 0 }));
    }

    [Fact]
    public void Balancing_raises_the_held_out_mean_recall_and_the_saved_model_predicts_it()
    {
        // FER2013 PublicTest is mixed like FER's training data (disgust 1.5 %): balancing trades a little accuracy for
        // the rare classes, measured on the half tau was not fitted on.
        var r = Calibrator.Fit(fx.Model, fx.Data, fx.Indices, fitFraction: 0.5, seed: 42, balance: true);
        output.WriteLine($"balanced: tau {r.PriorCorrection:F2}, prior [{string.Join(", ", r.Prior!.Select(p => p.ToString("F3")))}]; " +
                         $"accuracy {r.AccuracyBefore:P2} -> {r.Accuracy:P2}, balanced {r.BalancedAccuracyBefore:P2} -> {r.BalancedAccuracy:P2}; " + Describe(r));
        Assert.NotNull(r.PriorCorrection);
        Assert.InRange(r.PriorCorrection!.Value, PriorCorrection.TauStep, PriorCorrection.MaxTau);
        Assert.Equal(1, r.Prior!.Sum(), 6);
        Assert.True(r.BalancedAccuracy > r.BalancedAccuracyBefore, $"balanced accuracy {r.BalancedAccuracyBefore:P2} -> {r.BalancedAccuracy:P2}");
        Assert.True(r.Accuracy > r.AccuracyBefore - 0.05, $"accuracy {r.AccuracyBefore:P2} -> {r.Accuracy:P2}");
        // The temperature is refitted after the correction: the probabilities stay about as honest as before.
        Assert.True(r.EceAfter < r.EceBefore + 0.02, Describe(r));
        Assert.Equal(fx.Shipped.AccuracyBefore, r.AccuracyBefore, 9); // the same network and half before

        using var tmp = TestData.NewTempDir();
        using (var balanced = r.ApplyTo(fx.Model)) balanced.Save(tmp["balanced.mien"]);
        using var reloaded = EmotionModel.Load(tmp["balanced.mien"], InferencePrecision.Float32);
        Assert.Equal(r.LogitBias, reloaded.Metadata.LogitBias);
        var report = Evaluator.Evaluate(reloaded, fx.Data, r.EvaluationIndices);
        // The file predicts what the fit measured (bf16 there, fp32 here: a face or two may flip).
        Assert.Equal(r.Accuracy, report.Accuracy, 2);
        Assert.Equal(r.BalancedAccuracy, report.BalancedAccuracy, 2);

        // Calibrating the balanced model again without --balance keeps its bias.
        var again = Calibrator.Fit(reloaded, fx.Data, fx.Indices, fitFraction: 0.5, seed: 42);
        Assert.Equal(r.LogitBias, again.LogitBias);
        Assert.Null(again.PriorCorrection);
        Assert.Equal(reloaded.Metadata.Temperature, again.Temperature, 0.05);
    }

    [Fact]
    public void A_logit_bias_shifts_the_live_networks_scores_and_a_wrong_one_is_a_clear_error()
    {
        using var live = TinyLiveModel();
        float[] bias = [1.5f, -0.5f, 0f];
        using var biased = live.WithMetadata(live.Metadata with { LogitBias = bias, Temperature = 2 });
        var pixels = new byte[3 * 48 * 48];
        new Random(6).NextBytes(pixels);
        var p1 = live.PredictProbabilities(pixels, 3);
        var actual = biased.PredictProbabilities(pixels, 3);
        for (int i = 0; i < 3; i++)
        {
            // softmax((z + b) / T) from softmax(z): log p is z up to a constant.
            var z = p1[i].Select((p, c) => (Math.Log(p) + bias[c]) / 2).ToArray();
            double sum = z.Sum(Math.Exp);
            for (int c = 0; c < 3; c++) Assert.Equal(Math.Exp(z[c]) / sum, actual[i][c], 1e-4);
        }
        var e = Assert.Throws<ArgumentException>(() => live.WithMetadata(live.Metadata with { LogitBias = [1f, 2f] }));
        Assert.Contains("logit_bias has 2 values for 3 classes", e.Message);
        Assert.Throws<ArgumentException>(() => live.WithMetadata(live.Metadata with { LogitBias = [1f, float.NaN, 0f] }));

        // The same check guards a model file.
        using var tmp = TestData.NewTempDir();
        string path = tmp["bad-bias.mien"];
        biased.Save(path);
        using (var reloaded = EmotionModel.Load(path)) Assert.Equal(bias, reloaded.Metadata.LogitBias);
        EditMetadata(path, json => json["logit_bias"] = new JsonArray(1, 2, 3, 4));
        var fe = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(path));
        Assert.Contains("logit_bias has 4 values for 3 classes", fe.Message);
    }

    private static EmotionModel TinyLiveModel()
    {
        var spec = ModelSpec.FromJson("""
            { "name": "tiny", "input_size": 48, "layers": [
              { "type": "conv2d", "filters": 4, "activation": "relu" }, { "type": "maxpool" }, { "type": "global_avg_pool" } ] }
            """);
        var live = EmotionModel.Create(spec, ["anger", "happy", "sadness"], 0.5f, 0.25f);
        live.Network.eval();
        return live;
    }

    /// <summary>Rewrites a model file's metadata.json through <paramref name="edit"/>.</summary>
    private static void EditMetadata(string path, Action<JsonObject> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry("metadata.json")!;
        JsonObject json;
        using (var s = entry.Open()) json = JsonNode.Parse(s)!.AsObject();
        edit(json);
        entry.Delete();
        using var w = new StreamWriter(zip.CreateEntry("metadata.json").Open());
        w.Write(json.ToJsonString());
    }
}

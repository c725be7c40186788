using System.Text.Json;
using Mien.Data;
using Mien.Experiments;
using Mien.Inference;
using Mien.Models;
using Mien.Reporting;
using Mien.Training;
using OpenCvSharp;
using Sylvan.Data.Csv;

namespace Mien.Tests.Cli;

/// <summary>Issue #11, the output side: failed writes reported as failures, outputs that do not overwrite each other, one vocabulary.</summary>
public class OutputVocabularyTests
{
    private static string Photo(string name) => TestData.Shared("photos/" + name);

    [Fact]
    public void Predict_annotate_into_a_folder_that_cannot_be_made_fails_naming_it_before_any_row()
    {
        using var tmp = TestData.NewTempDir();
        File.WriteAllText(tmp["somefile"], "keep me");
        var (exit, output, err) = CliRunner.Run("predict", Photo("astronaut.png"), "--annotate", tmp["somefile/sub"]);
        Assert.Equal(1, exit);
        Assert.Contains("--annotate", err);
        Assert.Contains(tmp["somefile/sub"], err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // one line, no stack trace
        Assert.Equal("", output); // no rows claiming success
        Assert.Equal("keep me", File.ReadAllText(tmp["somefile"]));
    }

    [Fact]
    public void Video_annotate_that_cannot_be_written_fails_with_an_error()
    {
        using var tmp = TestData.NewTempDir();
        File.WriteAllText(tmp["somefile"], "keep me");
        var (exit, output, err) = CliRunner.Run("video", Photo("Megamind.avi"), "--max-frames", "2", "--annotate", tmp["somefile/out.avi"]);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", err);
        Assert.Contains("--annotate", err);
        Assert.Contains("somefile", err);
        Assert.Equal("", output);
        Assert.Equal("keep me", File.ReadAllText(tmp["somefile"]));

        (exit, _, err) = CliRunner.Run("video", Photo("Megamind.avi"), "--max-frames", "2", "--annotate", tmp.Path);
        Assert.Equal(1, exit);
        Assert.Contains("is a folder", err);
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Concurrent_annotated_writes_of_one_file_always_leave_a_whole_png()
    {
        using var tmp = TestData.NewTempDir();
        using var image = new Mat(300, 400, MatType.CV_8UC3, new Scalar(10, 200, 30));
        Cv2.Randu(image, new Scalar(0, 0, 0), new Scalar(255, 255, 255)); // incompressible, so a write takes a while
        var prediction = new ImagePrediction("x.png", 400, 300, []);
        string target = tmp["out/x.annotated.png"];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => ImageAnnotator.Write(target, image, prediction));
        using var back = Cv2.ImRead(target);
        Assert.Equal(400, back.Width);
        Assert.Equal(300, back.Height);
        Assert.Empty(Directory.GetFiles(tmp["out"], "*.tmp"));

        File.WriteAllText(tmp["file"], "");
        var e = Assert.ThrowsAny<Mien.IO.MienException>(() => ImageAnnotator.Write(tmp["file/x.png"], image, prediction));
        Assert.Contains("file/x.png", e.Message);
    }

    [Fact]
    public void Same_file_names_in_two_sub_folders_keep_both_annotations_and_rows_say_which()
    {
        using var tmp = TestData.NewTempDir();
        Directory.CreateDirectory(tmp["d/a"]);
        Directory.CreateDirectory(tmp["d/b"]);
        File.Copy(Photo("astronaut.png"), tmp["d/a/x.png"]);
        File.Copy(Photo("coffee.png"), tmp["d/b/x.png"]);
        File.Copy(Photo("coffee.png"), tmp["single.png"]);
        File.Copy(Photo("coffee.png"), tmp["d/single.png"]);

        var (exit, output, err) = CliRunner.Run("predict", tmp["d"], tmp["single.png"], "--annotate", tmp["ann"]);
        Assert.True(exit == 0, err);
        using (var a = Cv2.ImRead(tmp["ann/a/x.annotated.png"])) Assert.Equal(512, a.Width);   // astronaut
        using (var b = Cv2.ImRead(tmp["ann/b/x.annotated.png"])) Assert.Equal(600, b.Width);   // coffee
        Assert.True(File.Exists(tmp["ann/single.annotated.png"]));
        Assert.True(File.Exists(tmp["ann/single-2.annotated.png"])); // the file given by itself does not overwrite d/single.png's
        Assert.Contains(Path.Combine("d", "a", "x.png"), output);
        Assert.Contains(Path.Combine("d", "b", "x.png"), output);
    }

    [Fact]
    public void Csv_has_a_row_for_every_image_with_faceless_ones_empty_and_odd_names_quoted()
    {
        using var tmp = TestData.NewTempDir();
        string odd = tmp["it's, \"odd\".png"];
        File.Copy(Photo("coffee.png"), odd);
        var (exit, output, err) = CliRunner.Run("predict", "--format", "csv", Photo("astronaut.png"), odd, Photo("truncated.jpg"));
        Assert.Equal(2, exit); // truncated.jpg fails, the others are kept
        Assert.Contains("1 of 3 input(s) failed", err);

        using var csv = CsvDataReader.Create(new StringReader(output));
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add(Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToArray());
        Assert.Equal(3, rows.Count);
        Assert.Equal("file", csv.GetName(0));
        int emotion = csv.GetOrdinal("emotion"), error = csv.GetOrdinal("error"), found = csv.GetOrdinal("found");
        Assert.Equal("happy", rows[0][emotion]);
        Assert.Equal("detected", rows[0][found]);
        Assert.Equal(odd, rows[1][0]);           // the comma and the quotes survive the round trip
        Assert.Equal("", rows[1][emotion]);      // no face: a row with empty emotion cells
        Assert.Equal("", rows[1][error]);
        Assert.EndsWith("truncated.jpg", rows[2][0]);
        Assert.NotEqual("", rows[2][error]);

        (exit, output, _) = CliRunner.Run("predict", "--format", "jsonl", odd);
        Assert.Equal(0, exit);
        Assert.Contains("it's", output); // not it\u0027s
        Assert.Equal(odd, JsonDocument.Parse(output).RootElement.GetProperty("file").GetString());
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Help_names_the_command_mien_and_the_annotate_options_say_folder_or_file()
    {
        var (exit, output, _) = CliRunner.Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("mien [command] [options]", output);
        Assert.DoesNotContain("Mien.Cli", output);
        (_, output, _) = CliRunner.Run("predict", "--help");
        Assert.Contains("mien predict", output);
        Assert.Contains("--annotate <folder>", output);
        Assert.Contains("--explain <folder>", output);
        (_, output, _) = CliRunner.Run("video", "--help");
        Assert.Contains("--annotate <file>", output);
    }

    [Theory]
    [Trait("Tier", "Fast")]
    [InlineData("predict")]
    [InlineData("explain")]
    [InlineData("video")]
    public void Every_recognizing_command_takes_the_same_recognizer_options(string command)
    {
        var (exit, output, _) = CliRunner.Run(command, "--help");
        Assert.Equal(0, exit);
        foreach (var option in new[] { "--model", "--precision", "--align", "--detect-side", "--detector", "--min-face", "--no-detect", "--no-fallback", "--tta" })
            Assert.Contains(option, output);
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Models_show_prints_a_spec_train_accepts_and_train_refuses_to_overwrite_a_finished_run()
    {
        using var tmp = TestData.NewTempDir();
        var (exit, spec, err) = CliRunner.Run("models", "--show", "mini-xception");
        Assert.Equal(0, exit);
        Assert.Contains("parameters", err); // the layer table, on stderr
        File.WriteAllText(tmp["s.json"], spec);
        using (JsonDocument.Parse(spec)) { }
        Assert.Equal(ModelZoo.GetSpec("mini-xception").ToJson(), ModelZoo.GetSpec(tmp["s.json"]).ToJson());

        TestData.WriteClassTree(tmp["data"], new Dictionary<string, int> { ["happy"] = 8, ["sad"] = 8, ["anger"] = 8 });
        string[] train = ["train", "--data", tmp["data"], "--model", tmp["s.json"], "--epochs", "1", "--group-by", "none", "--out", tmp["run"], "-q"];
        (exit, _, err) = CliRunner.Run(train);
        Assert.True(exit == 0, err);
        var metrics = File.ReadAllText(tmp["run/metrics.json"]);
        var stamp = File.GetLastWriteTimeUtc(tmp["run/best.mien"]);
        using (var m = JsonDocument.Parse(metrics)) Assert.True(m.RootElement.GetProperty("complete").GetBoolean());

        (exit, var output, err) = CliRunner.Run(train);
        Assert.Equal(1, exit);
        Assert.Contains("already holds a finished run", err);
        Assert.Contains("--overwrite", err);
        Assert.Equal("", output);
        Assert.Equal(metrics, File.ReadAllText(tmp["run/metrics.json"])); // nothing of the old run lost
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(tmp["run/best.mien"]));

        (exit, _, err) = CliRunner.Run([.. train, "--overwrite", "--resume"]);
        Assert.Equal(1, exit);
        Assert.Contains("give one", err);

        File.WriteAllText(tmp["run/notes.txt"], "mine");
        (exit, _, err) = CliRunner.Run([.. train, "--overwrite"]);
        Assert.True(exit == 0, err);
        Assert.True(File.Exists(tmp["run/best.mien"]));
        Assert.Equal("mine", File.ReadAllText(tmp["run/notes.txt"])); // only the run's own files are replaced
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void A_cancelled_run_says_it_is_incomplete_in_metrics_and_report()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp["data"], new Dictionary<string, int> { ["happy"] = 10, ["sad"] = 10, ["anger"] = 10 });
        var data = DatasetLoader.Load(tmp["data"]);
        using var cts = new CancellationTokenSource();
        var run = new TrainingRun(new TrainingRunOptions
        {
            ValidationFraction = 0.2, TestFraction = 0.2, GroupBySubject = false,
            Training = new TrainingOptions { Epochs = 3, BatchSize = 8, RunDirectory = tmp["run"] },
        });
        var done = run.Run(data, run.Split(data), ModelZoo.GetSpec("mini-xception"), [new CancelAfterFirstEpoch(cts)], cts.Token);
        using var model = done.Training.Model;

        Assert.True(done.Training.Cancelled);
        Assert.Equal(1, done.Training.EpochsTrained);
        Assert.Equal(3, done.Training.PlannedEpochs);
        Assert.Null(done.Test); // no "final" test score for a run that did not finish
        using (var m = JsonDocument.Parse(File.ReadAllText(tmp["run/metrics.json"])))
        {
            Assert.False(m.RootElement.GetProperty("complete").GetBoolean());
            Assert.Equal(1, m.RootElement.GetProperty("epochs_trained").GetInt32());
            Assert.Equal(3, m.RootElement.GetProperty("epochs_planned").GetInt32());
        }
        Assert.True(done.ReportPath is not null, done.ReportError);
        string html = File.ReadAllText(done.ReportPath);
        Assert.Contains("incomplete run", html);
        Assert.Contains("cancelled after epoch 1 of 3", html);
        Assert.True(File.Exists(tmp["run/best.mien"]));
        Assert.True(File.Exists(tmp["run/history.json"]));
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public void Cross_validation_times_each_fold_on_its_own()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp["data"], new Dictionary<string, int> { ["happy"] = 9, ["sad"] = 9, ["anger"] = 9 });
        var data = DatasetLoader.Load(tmp["data"]);
        var cv = new CrossValidation(new CrossValidationOptions
        {
            Folds = 3, GroupBySubject = false, Training = new TrainingOptions { Epochs = 1, BatchSize = 8 },
        });
        var result = cv.Run(data, ModelZoo.GetSpec("mini-xception"));
        Assert.Equal(3, result.Folds.Count);
        // Cumulative times would add up to about k/2 times the total; per-fold times add up to at most the total.
        Assert.True(result.Folds.Sum(f => f.Elapsed.TotalSeconds) <= result.Elapsed.TotalSeconds + 1e-3);
        Assert.All(result.Folds, f => Assert.True(f.Elapsed > TimeSpan.Zero));
    }

    private sealed class CancelAfterFirstEpoch(CancellationTokenSource cts) : ITrainingCallback
    {
        public void OnEpochEnd(TrainingContext context) => cts.Cancel();
    }
}

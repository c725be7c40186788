using System.CommandLine;
using System.Text.Json;
using Mien.Models;
using Mien.Splits;
using Mien.Training;

namespace Mien.Cli.Commands;

/// <summary><c>mien train</c>: fit a network, keep the best epoch, write history, split and checkpoints to a run folder.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var t = new TrainingArguments();
        var output = new Option<string?>("--out", "-o") { Description = "Run folder (default runs/<date>-<model>). Holds best.mien, history.csv/json, split.json, checkpoints/." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last checkpoint." };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share held out for validation when the dataset has no predefined split.", DefaultValueFactory = _ => 0.15 };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share held out for a final test when the dataset has no predefined split (0 = none)." };
        var cmd = new Command("train", "Train a CNN on a dataset. A dataset with train/ and test/ folders (FER2013) trains on train and validates on test.");
        data.AddTo(cmd); t.AddTo(cmd);
        cmd.Options.Add(output); cmd.Options.Add(resume); cmd.Options.Add(valFraction); cmd.Options.Add(testFraction);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            var spec = t.Spec(r);
            string runDir = r.GetValue(output) ?? Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{spec.Name}");
            var options = t.Options(r, runDir, r.GetValue(resume));
            bool quiet = r.GetValue(t.Quiet);
            var dataset = data.Load(r, c, quiet);
            var split = Splitter.HoldOut(dataset, r.GetValue(valFraction), r.GetValue(testFraction), options.Seed, t.GroupBySubject(r), !r.GetValue(t.KeepDuplicates));
            if (!quiet)
            {
                Console.WriteLine($"split: {split.Description}: train {split.Train.Length}, validation {split.Validation.Length}, test {split.Test.Length}");
                var s = ModelBuilder.Summarize(spec, dataset.ClassNames.Count);
                Console.WriteLine($"model: {spec.Name}, {s.Parameters:N0} parameters, {s.Flops / 1e6:F1} MFLOPs/face; run folder {runDir}");
            }
            var result = new Trainer(options).AddCallback(new ConsoleProgress(quiet)).Fit(dataset, split, spec, c);
            string best = Path.Combine(runDir, "best" + EmotionModel.FileExtension);
            result.Model.Save(best);
            Console.WriteLine();
            Console.WriteLine($"best epoch {result.BestEpoch}: validation accuracy {result.Validation.Accuracy:P2}, macro-F1 {result.Validation.MacroF1:F4}; " +
                              $"{result.Elapsed.TotalMinutes:F1} min, {result.TrainImagesPerSecond:F0} images/s");
            if (!quiet) MetricsTable.Write(result.Validation);
            if (Mien.Evaluation.CollapseCheck.Warning(result.Validation) is { } collapsed) Console.WriteLine(collapsed);
            var report = new Dictionary<string, object?> { ["validation"] = result.Validation.ToSerializable(), ["best_epoch"] = result.BestEpoch, ["minutes"] = result.Elapsed.TotalMinutes, ["images_per_second"] = result.TrainImagesPerSecond };
            Mien.Evaluation.ClassificationReport? test = null;
            if (split.Test.Length > 0)
            {
                test = Mien.Evaluation.Evaluator.Evaluate(result.Model, dataset, split.Test);
                Console.WriteLine("held-out test:");
                MetricsTable.Write(test);
                report["test"] = test.ToSerializable();
            }
            Mien.Reporting.MienJson.Write(Path.Combine(runDir, "metrics.json"), report);
            // A failed chart must not fail a finished run: the model and metrics are already saved.
            try { Console.WriteLine($"report: {Mien.Reporting.TrainingReport.Write(runDir, result, dataset, split, test)}"); }
            catch (Exception e) when (e is not OperationCanceledException) { Console.Error.WriteLine($"warning: report not written: {e.Message}"); }
            Console.WriteLine($"model saved to {best}");
            return result.Cancelled ? 130 : 0;
        }, ct));
        return cmd;
    }
}

using System.CommandLine;
using Mien.Experiments;
using Mien.Models;

namespace Mien.Cli.Commands;

/// <summary><c>mien train</c>: one training run (the library's <see cref="TrainingRun"/>), shown as it goes.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var t = new TrainingArguments();
        var output = new Option<string?>("--out", "-o") { Description = "Run folder (default runs/<date>-<model>). Holds best.mien, history.csv/json, split.json, checkpoints/." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last checkpoint." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the run already in --out (without it, an existing run there is refused)." };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share held out for validation when the dataset has no predefined split.", DefaultValueFactory = _ => 0.15 };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share held out for a final test when the dataset has no predefined split (0 = none)." };
        var cmd = new Command("train", "Train a CNN on a dataset. A dataset with train/ and test/ folders (FER2013) trains on train and validates on test.");
        data.AddTo(cmd); t.AddTo(cmd);
        cmd.Options.Add(output); cmd.Options.Add(resume); cmd.Options.Add(overwrite); cmd.Options.Add(valFraction); cmd.Options.Add(testFraction);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            var spec = t.Spec(r, data.ExplicitImageSize(r));
            string runDir = r.GetValue(output) ?? Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{spec.Name}");
            bool quiet = r.GetValue(t.Quiet);
            if (r.GetValue(resume) && r.GetValue(overwrite)) throw new ArgumentException("--resume continues the run in --out and --overwrite replaces it: give one.");
            new Mien.IO.RunFolder(runDir).PrepareNewRun(r.GetValue(resume), r.GetValue(overwrite)); // before the slow dataset load
            var options = t.Options(r, runDir, r.GetValue(resume));
            var run = new TrainingRun(new TrainingRunOptions
            {
                ValidationFraction = r.GetValue(valFraction), TestFraction = r.GetValue(testFraction), GroupBySubject = t.GroupBySubject(r),
                DropTrainingDuplicates = !r.GetValue(t.KeepDuplicates), Training = options,
            });
            var dataset = data.Load(r, c, quiet, imageSize: spec.InputSize);
            var split = run.Split(dataset);
            if (!quiet)
            {
                Console.WriteLine($"split: {split.Description}: train {split.Train.Length}, validation {split.Validation.Length}, test {split.Test.Length}");
                var s = ModelBuilder.Summarize(spec, dataset.ClassNames.Count);
                Console.WriteLine($"model: {spec.Name}, {s.Parameters:N0} parameters, {s.Flops / 1e6:F1} MFLOPs/face; run folder {runDir}");
            }
            var done = run.Run(dataset, split, spec, [new ConsoleProgress(quiet)], c);
            var result = done.Training;
            Console.WriteLine();
            string chosen = result.AveragedEpochs > 0
                ? $"weights averaged over epochs {result.EpochsTrained - result.AveragedEpochs + 1}..{result.EpochsTrained} (better than the best epoch, {result.BestEpoch})"
                : $"best epoch {result.BestEpoch}";
            Console.WriteLine($"{chosen}{(options.Monitor == "accuracy" ? "" : $" (by {options.Monitor})")}: validation accuracy {result.Validation.Accuracy:P2}, " +
                              $"balanced {result.Validation.BalancedAccuracy:P2}, macro-F1 {result.Validation.MacroF1:F4}; " +
                              $"{result.Elapsed.TotalMinutes:F1} min, {result.TrainImagesPerSecond:F0} images/s");
            if (!quiet) MetricsTable.Write(result.Validation);
            if (Mien.Evaluation.CollapseCheck.Warning(result.Validation) is { } collapsed) Console.WriteLine(collapsed);
            if (done.Test is { } test)
            {
                Console.WriteLine("held-out test:");
                MetricsTable.Write(test);
            }
            if (done.ReportPath is { } report) Console.WriteLine($"report: {report}");
            else Console.Error.WriteLine($"warning: report not written: {done.ReportError}");
            Console.WriteLine($"model saved to {done.Run.BestModel}");
            return result.Cancelled ? 130 : 0;
        }, ct));
        return cmd;
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Mien.Evaluation;
using Mien.Models;
using Mien.Splits;
using Mien.Training;

namespace Mien.Cli.Commands;

/// <summary><c>mien cv</c>: k-fold cross-validation, grouped by subject when subjects are known.</summary>
internal static class CrossValidateCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var t = new TrainingArguments();
        var folds = new Option<int>("--folds", "-k") { Description = "Number of folds.", DefaultValueFactory = _ => 10 };
        var output = new Option<string?>("--out", "-o") { Description = "Run folder (default runs/<date>-cv-<model>): per-fold histories, splits and cv.json." };
        var cmd = new Command("cv", "K-fold cross-validation: each fold trains from scratch and is scored on people it never saw (with --group-by subject).");
        data.AddTo(cmd); t.AddTo(cmd); cmd.Options.Add(folds); cmd.Options.Add(output);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            var spec = t.Spec(r);
            string runDir = r.GetValue(output) ?? Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-cv-{spec.Name}");
            bool quiet = r.GetValue(t.Quiet);
            var d = data.Load(r, c, quiet);
            bool grouped = t.GroupBySubject(r);
            var splits = Splitter.KFold(d, r.GetValue(folds), r.GetValue(t.Seed), grouped, !r.GetValue(t.KeepDuplicates));
            Console.WriteLine($"{splits.Count}-fold cross-validation of {spec.Name}, {(grouped && d.HasSubjects ? "grouped by subject" : "NOT grouped by subject (frames of one person can sit on both sides)")}");
            var reports = new List<ClassificationReport>();
            var histories = new List<IReadOnlyList<EpochMetrics>>();
            var sw = Stopwatch.StartNew();
            for (int f = 0; f < splits.Count; f++)
            {
                var options = t.Options(r, Path.Combine(runDir, $"fold-{f + 1:D2}"));
                var result = new Trainer(options).AddCallback(new ConsoleProgress(true)).Fit(d, splits[f], spec, c);
                // Report the last epoch, not the best: picking the best epoch on the fold's own test side would leak.
                var report = Evaluator.Evaluate(LastEpoch(options, result), d, splits[f].Validation, cancellationToken: c);
                reports.Add(report);
                histories.Add(result.History);
                Console.WriteLine($"fold {f + 1,2}/{splits.Count}: accuracy {report.Accuracy:P2}  balanced {report.BalancedAccuracy:P2}  macro-F1 {report.MacroF1:F4}  " +
                                  $"({splits[f].Validation.Length} test images, {splits[f].Validation.Select(i => d.Subjects[i]).Distinct().Count()} subjects, {sw.Elapsed.TotalMinutes:F1} min)");
                if (CollapseCheck.Warning(report) is { } collapsed) Console.WriteLine($"  fold {f + 1}: {collapsed}");
                result.Model.Dispose();
            }
            var acc = reports.Select(x => x.Accuracy).ToArray();
            double mean = acc.Average(), std = Math.Sqrt(acc.Sum(a => (a - mean) * (a - mean)) / Math.Max(1, acc.Length - 1));
            var summed = ClassificationReport.Sum(reports);
            Console.WriteLine();
            Console.WriteLine($"mean accuracy {mean:P2} ± {std:P2} (std over {acc.Length} folds); balanced {reports.Average(x => x.BalancedAccuracy):P2}; macro-F1 {reports.Average(x => x.MacroF1):F4}; {sw.Elapsed.TotalMinutes:F1} min");
            Console.WriteLine("summed over folds:");
            MetricsTable.Write(summed);
            Directory.CreateDirectory(runDir);
            Mien.Reporting.MienJson.Write(Path.Combine(runDir, "cv.json"), new
            {
                model = spec.Name, folds = splits.Count, grouped = grouped && d.HasSubjects, meanAccuracy = mean, stdAccuracy = std,
                minutes = sw.Elapsed.TotalMinutes, perFold = reports.Select(x => x.ToSerializable()), summed = summed.ToSerializable(),
            });
            // A failed chart must not fail a finished run: the model and metrics are already saved.
            try { Console.WriteLine($"report: {Mien.Reporting.CrossValidationReport.Write(runDir, spec.Name, d, splits, reports, histories, sw.Elapsed)}"); }
            catch (Exception e) when (e is not OperationCanceledException) { Console.Error.WriteLine($"warning: report not written: {e.Message}"); }
            return 0;
        }, ct));
        return cmd;
    }

    private static EmotionModel LastEpoch(TrainingOptions o, TrainingResult result)
    {
        string dir = Path.Combine(o.RunDirectory!, "checkpoints");
        var last = Directory.EnumerateFiles(dir, "epoch-*" + EmotionModel.FileExtension).Order().Last();
        return EmotionModel.Load(last);
    }
}

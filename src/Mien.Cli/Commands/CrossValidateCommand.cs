using System.CommandLine;
using Mien.Evaluation;
using Mien.Experiments;

namespace Mien.Cli.Commands;

/// <summary><c>mien cv</c>: k-fold cross-validation (the library's <see cref="CrossValidation"/>), printed fold by fold.</summary>
internal static class CrossValidateCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var t = new TrainingArguments();
        var folds = new Option<int>("--folds", "-k") { Description = "Number of folds.", DefaultValueFactory = _ => 10 };
        var lodo = new Option<bool>("--leave-one-dataset-out") { Description = "With several --data: one fold per dataset, trained on the others and tested on it (generalisation to datasets never seen)." };
        var members = new Option<int>("--members")
        {
            Description = "Networks per fold: each fold trains this many with different seeds (same folds) and is scored on the mean of their probabilities, as `mien evaluate --model A --model B` scores an ensemble. N times the training.",
            DefaultValueFactory = _ => 1,
        };
        var output = new Option<string?>("--out", "-o") { Description = "Run folder (default runs/<date>-cv-<model>): cv.json, and per fold its history, split and last-epoch model (last.mien, the one scored)." };
        var cmd = new Command("cv", "K-fold cross-validation: each fold trains from scratch and is scored on people it never saw (with --group-by subject).");
        data.AddTo(cmd); t.AddTo(cmd); cmd.Options.Add(folds); cmd.Options.Add(lodo); cmd.Options.Add(members); cmd.Options.Add(output);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            var spec = t.Spec(r, data.ExplicitImageSize(r));
            string runDir = r.GetValue(output) ?? Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-cv-{spec.Name}");
            bool quiet = r.GetValue(t.Quiet);
            var d = data.Load(r, c, quiet, imageSize: spec.InputSize);
            bool grouped = t.GroupBySubject(r);
            bool byDataset = r.GetValue(lodo);
            int k = byDataset ? d.DatasetNames.Count : r.GetValue(folds);
            var cv = new CrossValidation(new CrossValidationOptions
            {
                Folds = k, LeaveOneDatasetOut = byDataset, GroupBySubject = grouped, DropTrainingDuplicates = !r.GetValue(t.KeepDuplicates),
                Training = t.Options(r, null), RunDirectory = runDir, Members = r.GetValue(members),
            })
            {
                // Minutes per fold: show the epochs as they pass, one line each (a fold's bar would be redrawn k times).
                FoldCallbacks = f => [new ConsoleProgress(quiet, $"fold {f + 1,2}/{k} ")],
            };
            Console.WriteLine(byDataset ? $"leave-one-dataset-out cross-validation of {spec.Name} over {string.Join(", ", d.DatasetNames)}"
                : $"{k}-fold cross-validation of {spec.Name}, {(grouped && d.HasSubjects ? "grouped by subject" : "NOT grouped by subject (frames of one person can sit on both sides)")}");
            var result = cv.Run(d, spec, fold =>
            {
                var rep = fold.Report;
                var side = fold.Split.Validation;
                if (byDataset) Console.WriteLine($"fold {fold.Index + 1}: {fold.Split.Description}");
                Console.WriteLine($"fold {fold.Index + 1,2}/{k}: accuracy {rep.Accuracy:P2}  balanced {rep.BalancedAccuracy:P2}  macro-F1 {rep.MacroF1:F4}  " +
                                  $"({side.Length} test images, {(side.Select(i => d.Subjects[i]).OfType<string>().Distinct().Count() is > 0 and var n ? $"{n} subjects" : "subjects unknown")}, {fold.Elapsed.TotalMinutes:F1} min)");
                if (fold.MemberReports.Count > 1)
                    Console.WriteLine($"  fold {fold.Index + 1}: ensemble of {fold.MemberReports.Count}; the members alone: {string.Join(", ", fold.MemberReports.Select(m => m.Accuracy.ToString("P2")))}");
                if (CollapseCheck.Warning(rep) is { } collapsed) Console.WriteLine($"  fold {fold.Index + 1}: {collapsed}");
            }, c);
            Console.WriteLine();
            Console.WriteLine($"mean accuracy {result.MeanAccuracy:P2} ± {result.StdAccuracy:P2} (std over {result.Folds.Count} folds); balanced {result.MeanBalancedAccuracy:P2}; " +
                              $"macro-F1 {result.MeanMacroF1:F4}; {result.Elapsed.TotalMinutes:F1} min");
            if (result.Folds is [{ MemberReports.Count: > 1 } f0, ..])
                Console.WriteLine($"the members alone: mean accuracy {result.Folds.Average(f => f.MemberReports.Average(m => m.Accuracy)):P2} (the ensemble of {f0.MemberReports.Count}: {result.MeanAccuracy:P2})");
            Console.WriteLine("summed over folds:");
            MetricsTable.Write(result.Summed);
            // A failed chart must not fail a finished run: the metrics are already saved.
            try { Console.WriteLine($"report: {result.WriteReport(runDir, d)}"); }
            catch (Exception e) when (e is not OperationCanceledException) { Console.Error.WriteLine($"warning: report not written: {e.Message}"); }
            return 0;
        }, ct));
        return cmd;
    }
}

using System.CommandLine;
using Mien.Evaluation;
using Mien.Models;
using Mien.Splits;

namespace Mien.Cli.Commands;

/// <summary><c>mien evaluate</c>: score a trained model on a labelled dataset.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var model = new Option<string>("--model", "-m") { Description = "A trained .mien model file.", Required = true };
        var split = new Option<string>("--split") { Description = "Which part to score: test (default when the dataset has one), validation, train or all.", DefaultValueFactory = _ => "auto" };
        var tta = new Option<bool>("--tta") { Description = "Test-time augmentation: average the prediction with the mirrored face." };
        var precision = PrecisionOption.Create();
        var cmd = new Command("evaluate", "Score a trained model on a dataset: accuracy, balanced accuracy, macro-F1, per-class metrics, confusion matrix.");
        cmd.Options.Add(model); data.AddTo(cmd); cmd.Options.Add(split); cmd.Options.Add(tta); cmd.Options.Add(precision);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            using var m = EmotionModel.Load(r.GetValue(model)!, r.GetValue(precision));
            var d = data.Load(r, c);
            string which = r.GetValue(split)!.ToLowerInvariant();
            if (which == "auto") which = d.HasSplit("test") ? "test" : "all";
            int[] idx = which == "all" ? Enumerable.Range(0, d.Count).ToArray() : d.IndicesOfSplit(which);
            if (idx.Length == 0) throw new ArgumentException($"The dataset has no '{which}' split. Use --split all.");
            var report = Evaluator.Evaluate(m, d, idx, r.GetValue(tta), c);
            Console.WriteLine($"{r.GetValue(model)} on {d.Origin} [{which}]{(r.GetValue(tta) ? " with flip TTA" : "")}, {PrecisionOption.Describe(m)}");
            MetricsTable.Write(report);
            if (which is not ("train" or "all") && d.HasSplit("train"))
            {
                // The model may have trained on this dataset's train/ split: say what its copies inside the scored split are worth.
                var dups = new DataSplit("", d.IndicesOfSplit("train"), idx, []).DuplicatesOfTraining(d).ToHashSet();
                if (dups.Count > 0)
                {
                    var clean = Evaluator.Evaluate(m, d, idx.Where(i => !dups.Contains(i)).ToArray(), r.GetValue(tta), c);
                    Console.WriteLine($"{dups.Count} of these {idx.Length} images are identical to images of the train split; without them: " +
                                      $"items {clean.Count}, accuracy {clean.Accuracy:P2}, balanced accuracy {clean.BalancedAccuracy:P2}, macro-F1 {clean.MacroF1:F4}");
                }
            }
            return 0;
        }, ct));
        return cmd;
    }
}

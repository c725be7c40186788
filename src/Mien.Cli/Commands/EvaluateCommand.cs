using System.CommandLine;
using Mien.Experiments;
using Mien.Models;

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
            var d = data.Load(r, c, imageSize: m.InputSize);
            var e = DatasetEvaluation.Run(m, d, r.GetValue(split)!, r.GetValue(tta), c);
            Console.WriteLine($"{r.GetValue(model)} on {d.Origin} [{e.Split}]{(r.GetValue(tta) ? " with flip TTA" : "")}, {PrecisionOption.Describe(m)}");
            MetricsTable.Write(e.Report);
            if (e.WithoutCopies is { } clean)
                Console.WriteLine($"{e.CopiesOfTraining} of these {e.Report.Count} images are identical to images of the train split; without them: " +
                                  $"items {clean.Count}, accuracy {clean.Accuracy:P2}, balanced accuracy {clean.BalancedAccuracy:P2}, macro-F1 {clean.MacroF1:F4}");
            return 0;
        }, ct));
        return cmd;
    }
}

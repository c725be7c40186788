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
        var model = new Option<string[]>("--model", "-m") { Description = "A trained .mien model file (default: the bundled model). Repeat to score an ensemble: the mean of the models' probabilities, in the first model's classes; the faces are read at the first model's input size and resized for members of another." };
        var split = new Option<string>("--split") { Description = "Which part to score: test (default when the dataset has one), validation, train or all.", DefaultValueFactory = _ => "auto" };
        var tta = new Option<bool>("--tta") { Description = "Test-time augmentation: average the prediction with the mirrored face." };
        var json = new Option<string?>("--json") { Description = "Also write every score to this JSON file (for scripts)." };
        var precision = PrecisionOption.Create();
        var onnxModel = new Option<string?>("--onnx-model") { Description = "Classify with ONNX Runtime on this .onnx export of the model (e.g. its int8 file from `mien export --int8`) instead of LibTorch." };
        var cmd = new Command("evaluate", "Score a trained model on one or more datasets (--data repeated: cross-dataset, one table each and a summary): " +
                                          "accuracy, balanced accuracy, macro-F1, calibration, per-class metrics, confusion matrix.");
        cmd.Options.Add(model); data.AddTo(cmd); cmd.Options.Add(split); cmd.Options.Add(tta); cmd.Options.Add(json); cmd.Options.Add(precision); cmd.Options.Add(onnxModel);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            string[] paths = r.GetValue(model) ?? [];
            if (paths.Length > 1 && r.GetValue(onnxModel) is not null)
                throw new ArgumentException("--onnx-model scores one model; give one --model with it.");
            // With --onnx-model LibTorch only supplies the labels: no precision to choose.
            var p = r.GetValue(onnxModel) is null ? r.GetValue(precision) : InferencePrecision.Float32;
            using var models = new DisposableList<EmotionModel>();
            if (paths.Length == 0) models.Add(Mien.Inference.DefaultModel.Load(p));
            foreach (string path in paths) models.Add(EmotionModel.Load(path, p));
            var m = models[0];
            string name = paths.Length switch { 0 => "bundled model", 1 => paths[0], _ => $"ensemble of {string.Join(" + ", paths)}" };
            var results = new List<(string Dataset, DatasetEvaluation Evaluation)>();
            foreach (var d in data.LoadEach(r, c, imageSize: m.InputSize))
            {
                var e = r.GetValue(onnxModel) is { } onnx
                    ? DatasetEvaluation.RunOnnx(m, onnx, d, r.GetValue(split)!, r.GetValue(tta), c)
                    : models.Count > 1 ? DatasetEvaluation.RunEnsemble(models, d, r.GetValue(split)!, r.GetValue(tta), c)
                    : DatasetEvaluation.Run(m, d, r.GetValue(split)!, r.GetValue(tta), c);
                string engine = r.GetValue(onnxModel) is { } file ? $"ONNX Runtime on {file}" : PrecisionOption.Describe(m) + (models.Count > 1 ? $" (first of {models.Count} models)" : "");
                Console.WriteLine($"{name} on {d.Origin} [{e.Split}]{(r.GetValue(tta) ? " with flip TTA" : "")}, {engine}");
                MetricsTable.Write(e.Report);
                if (e.WithoutCopies is { } clean)
                    Console.WriteLine($"{e.CopiesOfTraining} of these {e.Report.Count} images are identical to images of the train split; without them: " +
                                      $"items {clean.Count}, accuracy {clean.Accuracy:P2}, balanced accuracy {clean.BalancedAccuracy:P2}, macro-F1 {clean.MacroF1:F4}");
                results.Add((d.Origin, e));
                Console.WriteLine();
            }
            if (results.Count > 1) MetricsTable.WriteSummary(results, MetricsTable.UseColor ? Spectre.Console.AnsiConsole.Console : null, Console.Out);
            if (r.GetValue(json) is { } jsonPath)
                Mien.IO.MienJson.Write(jsonPath, new
                {
                    model = name, datasets = results.Select(x => new
                    {
                        dataset = x.Dataset, split = x.Evaluation.Split, scores = x.Evaluation.Report.ToSerializable(),
                        copies_of_training = x.Evaluation.CopiesOfTraining, without_copies = x.Evaluation.WithoutCopies?.ToSerializable(),
                    }),
                });
            return 0;
        }, ct));
        return cmd;
    }
}

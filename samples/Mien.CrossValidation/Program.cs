// The README's cross-validation example as a program: a subject-grouped k-fold cross-validation run from the
// library alone, no CLI. Usage: Mien.CrossValidation <dataset> [--folds K] [--epochs N] [--limit N] [--out DIR]
using Mien.Data;
using Mien.Experiments;
using Mien.Models;
using Mien.Training;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: Mien.CrossValidation <dataset folder|zip|csv> [--folds 10] [--epochs 30] [--limit 0] [--out runs/cv-sample]");
    return args.Length == 0 ? 1 : 0;
}
int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
string outDir = Array.IndexOf(args, "--out") is var o and >= 0 && o + 1 < args.Length ? args[o + 1] : "runs/cv-sample";

Mien.Runtime.NativeRuntime.Tune();
var data = DatasetLoader.Load(args[0], new DatasetLoadOptions { Limit = Arg("--limit", 0) });
if (data.ClassNames.Contains("contempt")) data = data.WithoutClasses(["contempt"]);

var cv = new CrossValidation(new CrossValidationOptions
{
    Folds = Arg("--folds", 10), GroupBySubject = true, RunDirectory = outDir,
    Training = new TrainingOptions { Epochs = Arg("--epochs", 30), BatchSize = 32, Seed = 42 },
});
CrossValidationResult result = cv.Run(data, ModelZoo.GetSpec("vgg-small"),
    onFold: f => Console.WriteLine($"fold {f.Index + 1}: {f.Report.Accuracy:P1} on {f.Split.Validation.Length} faces"));
Console.WriteLine($"{result.MeanAccuracy:P2} ± {result.StdAccuracy:P2} over {result.Folds.Count} subject-grouped folds");
Console.WriteLine(result.Summed.ToText());
Console.WriteLine($"report: {result.WriteReport(outDir, data)}");
return 0;

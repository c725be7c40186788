using System.CommandLine;
using System.Globalization;
using Mien.Evaluation;
using Mien.Models;
using Mien.Reporting;
using Mien.Splits;

namespace Mien.Cli.Commands;

/// <summary>
/// <c>mien calibrate</c>: fit a temperature so that the model's probabilities match its accuracy, on part of a
/// held-out split, report the effect on the other part, and save the model with it.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var model = new Option<string>("--model", "-m") { Description = "A trained .mien model file.", Required = true };
        var split = new Option<string>("--split") { Description = "Held-out images to calibrate on: validation (default when the dataset has one), test, or all.", DefaultValueFactory = _ => "auto" };
        var fitFraction = new Option<double>("--fit-fraction") { Description = "Stratified share of the split the temperature is fitted on; the rest measures it.", DefaultValueFactory = _ => 0.5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the fitting/measuring split.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out", "-o") { Description = "Where to save the calibrated .mien model.", Required = true };
        var plot = new Option<string?>("--plot") { Description = "Also write the reliability diagram (before and after) to this PNG file." };
        var balance = new Option<bool>("--balance")
        {
            Description = "Also correct the class prior: scores z - tau*log(prior), tau fitted on the same part to maximise the mean of accuracy and balanced " +
                          "accuracy. For faces whose class mix differs from the training data's (posed photos, other datasets): FER's many neutral and few " +
                          "disgust faces otherwise pull predictions towards neutral and away from disgust.",
        };
        var precision = PrecisionOption.Create();
        var cmd = new Command("calibrate", "Calibrate a model's probabilities (temperature scaling) on held-out images, so that a 0.9 is right about 90 % of the time; --balance also corrects the class prior.");
        cmd.Options.Add(model); data.AddTo(cmd); cmd.Options.Add(split); cmd.Options.Add(fitFraction); cmd.Options.Add(seed);
        cmd.Options.Add(output); cmd.Options.Add(plot); cmd.Options.Add(balance); cmd.Options.Add(precision);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            double fraction = r.GetValue(fitFraction);
            if (!(fraction > 0 && fraction < 1)) throw new ArgumentException($"--fit-fraction must be between 0 and 1 (exclusive), got {fraction.ToString(CultureInfo.InvariantCulture)}.");
            string which = r.GetValue(split)!.ToLowerInvariant();
            if (which is not ("auto" or "validation" or "test" or "all")) throw new ArgumentException($"--split must be validation, test or all, got '{which}'.");
            using var m = EmotionModel.Load(r.GetValue(model)!, r.GetValue(precision));
            var d = data.Load(r, c);
            if (which == "auto")
                which = d.HasSplit("validation") ? "validation" : d.HasSplit("test") ? "test"
                    : throw new ArgumentException($"{d.Origin} has no validation or test split; pass --split all if none of its images were used for training.");
            int[] idx = which == "all" ? Enumerable.Range(0, d.Count).ToArray() : d.IndicesOfSplit(which);
            if (idx.Length == 0) throw new ArgumentException($"The dataset has no '{which}' split.");
            if (which != "all" && d.HasSplit("train"))
            {
                // Copies of training images are ones the model may have memorised: they would pull the temperature down.
                var dups = DataSplit.CopiesOfTrainSplit(d, idx);
                if (dups.Count > 0)
                {
                    idx = idx.Where(i => !dups.Contains(i)).ToArray();
                    Console.WriteLine($"left out {dups.Count} '{which}' images identical to images of the train split");
                }
            }
            else if (which == "all" && d.HasSplit("train"))
                Console.Error.WriteLine("warning: --split all includes the train split; a model is overconfident on images it trained on.");

            var result = Calibrator.Fit(m, d, idx, fraction, r.GetValue(seed), balance: r.GetValue(balance), cancellationToken: c);
            Console.WriteLine($"{r.GetValue(model)} on {d.Origin} [{which}], {PrecisionOption.Describe(m)}: temperature fitted on {result.FitIndices.Count} images, " +
                              $"measured on the other {result.EvaluationIndices.Count} (stratified, seed {r.GetValue(seed)})");
            Console.WriteLine(SummaryTable(result));

            using (var calibrated = result.ApplyTo(m)) calibrated.Save(r.GetValue(output)!);
            string prior = result.PriorCorrection is { } tau ? $", prior correction tau {tau:0.##}" : "";
            Console.WriteLine($"calibrated model (temperature {result.Temperature:0.####}{prior}) saved to {r.GetValue(output)}");
            if (r.GetValue(plot) is { } png)
            {
                if (Path.GetDirectoryName(Path.GetFullPath(png)) is { } dir) Directory.CreateDirectory(dir);
                File.WriteAllBytes(png, TrainingPlots.Reliability(result));
                Console.WriteLine($"reliability diagram: {png}");
            }
            return 0;
        }, ct));
        return cmd;
    }

    /// <summary>Before/after on the measuring part: plain text, so logs and scripts can read it.</summary>
    internal static string SummaryTable(CalibrationResult r)
    {
        var ci = CultureInfo.InvariantCulture;
        static double MeanConfidence(IReadOnlyList<ReliabilityBin> bins) =>
            bins.Sum(b => b.Count * b.MeanConfidence) / Math.Max(1, bins.Sum(b => b.Count));
        string Row(string name, string before, string after) => $"{name,-18}{before,10}{after,10}";
        return string.Join(Environment.NewLine,
            Row("", "before", "after"),
            Row("temperature", r.PreviousTemperature.ToString("F3", ci), r.Temperature.ToString("F3", ci)),
            Row("prior correction", r.PreviousLogitBias is null ? "none" : "yes", r.PriorCorrection is { } tau ? $"tau {tau:0.00}" : r.LogitBias is null ? "none" : "kept"),
            Row("ECE (15 bins)", r.EceBefore.ToString("F4", ci), r.EceAfter.ToString("F4", ci)),
            Row("NLL", r.NllBefore.ToString("F4", ci), r.NllAfter.ToString("F4", ci)),
            Row("mean confidence", MeanConfidence(r.BinsBefore).ToString("P2", ci), MeanConfidence(r.BinsAfter).ToString("P2", ci)),
            Row("accuracy", r.AccuracyBefore.ToString("P2", ci), r.Accuracy.ToString("P2", ci)),
            Row("balanced accuracy", r.BalancedAccuracyBefore.ToString("P2", ci), r.BalancedAccuracy.ToString("P2", ci)));
    }
}

using Mien.Evaluation;
using Mien.IO;
using Mien.Training;

namespace Mien.Experiments;

/// <summary>What <see cref="CrossValidation.Run"/> returns: every fold, mean ± standard deviation, the pooled confusion, the settings.</summary>
public sealed record CrossValidationResult(string ModelName, string Dataset, bool Grouped, IReadOnlyList<CrossValidationFold> Folds,
    TrainingOptions Settings, TimeSpan Elapsed)
{
    /// <summary>Mean of the fold accuracies.</summary>
    public double MeanAccuracy => Folds.Average(f => f.Report.Accuracy);

    /// <summary>Standard deviation of the fold accuracies (n − 1).</summary>
    public double StdAccuracy => Std(Folds.Select(f => f.Report.Accuracy).ToArray());
    /// <summary>Mean of the fold balanced accuracies.</summary>
    public double MeanBalancedAccuracy => Folds.Average(f => f.Report.BalancedAccuracy);
    /// <summary>Mean of the fold macro-F1 scores.</summary>
    public double MeanMacroF1 => Folds.Average(f => f.Report.MacroF1);

    /// <summary>The folds' confusion matrices summed: every image counted once, on the fold that held it out.</summary>
    public ClassificationReport Summed => ClassificationReport.Sum(Folds.Select(f => f.Report).ToList());

    private static double Std(double[] x)
    {
        double m = x.Average();
        return Math.Sqrt(x.Sum(a => (a - m) * (a - m)) / Math.Max(1, x.Length - 1));
    }

    /// <summary>The cv.json document.</summary>
    public object ToSerializable() => new
    {
        model = ModelName, dataset = Dataset, folds = Folds.Count, grouped = Grouped, meanAccuracy = MeanAccuracy, stdAccuracy = StdAccuracy,
        meanBalancedAccuracy = MeanBalancedAccuracy, meanMacroF1 = MeanMacroF1, minutes = Elapsed.TotalMinutes,
        perFold = Folds.Select(f => f.Report.ToSerializable()), foldMinutes = Folds.Select(f => f.Elapsed.TotalMinutes),
        summed = Summed.ToSerializable(), settings = Settings,
        // With cv --members N: networks per fold, and each member's own accuracy beside the ensemble's (perFold).
        members = Folds.Count == 0 ? 1 : Math.Max(1, Folds[0].MemberReports.Count),
        memberAccuracies = Folds.Select(f => f.MemberReports.Select(r => r.Accuracy)),
    };

    /// <summary>Writes cv.json (<see cref="ToSerializable"/>) atomically.</summary>
    public void WriteJson(string path) => MienJson.Write(path, ToSerializable());

    /// <summary>Writes report.html and its plots into <paramref name="runDirectory"/>; returns the report's path.</summary>
    public string WriteReport(string runDirectory, Data.FaceDataset data) =>
        Reporting.CrossValidationReport.Write(runDirectory, ModelName, data, Folds.Select(f => f.Split).ToList(), Folds.Select(f => f.Report).ToList(),
            Folds.Select(f => f.History).ToList(), Folds.Select(f => f.Elapsed).ToList(), Elapsed, Settings);
}

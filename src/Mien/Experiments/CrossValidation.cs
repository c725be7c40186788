using System.Diagnostics;
using Mien.Data;
using Mien.Evaluation;
using Mien.IO;
using Mien.Models;
using Mien.Splits;
using Mien.Training;

namespace Mien.Experiments;

/// <summary>
/// K-fold cross-validation as a library verb (scikit-learn's <c>cross_validate</c>): stratified folds, grouped by
/// subject when the dataset knows them, each fold trained from scratch and scored at its last epoch on the people it
/// never saw. Writes cv.json and one run folder per fold when <see cref="CrossValidationOptions.RunDirectory"/> is set.
/// </summary>
public sealed class CrossValidation(CrossValidationOptions options)
{
    /// <summary>The settings it runs with.</summary>
    public CrossValidationOptions Options { get; } = options;

    /// <summary>Callbacks for each fold's training (e.g. a progress display); called with the 0-based fold index.</summary>
    public Func<int, IEnumerable<ITrainingCallback>>? FoldCallbacks { get; init; }

    /// <summary>The folds this cross-validation will use (deterministic for a seed).</summary>
    public IReadOnlyList<DataSplit> Splits(FaceDataset data) => Options.LeaveOneDatasetOut
        ? Splitter.LeaveOneDatasetOut(data)
        : Splitter.KFold(data, Options.Folds, Options.Training.Seed, Options.GroupBySubject, Options.DropTrainingDuplicates);

    /// <param name="onFold">Told about each fold as it finishes (to print or log it).</param>
    public CrossValidationResult Run(FaceDataset data, ModelSpec spec, Action<CrossValidationFold>? onFold = null, CancellationToken cancellationToken = default)
    {
        Options.Validate();
        var splits = Splits(data);
        var run = Options.RunDirectory is null ? null : new RunFolder(Options.RunDirectory).Create();
        var folds = new List<CrossValidationFold>();
        var total = Stopwatch.StartNew();
        for (int f = 0; f < splits.Count; f++)
        {
            var sw = Stopwatch.StartNew();
            var members = new List<TrainingResult>();
            try
            {
                for (int m = 0; m < Options.Members; m++)
                {
                    // Member m > 0 draws its own initialisation, batches and augmentation; the folds were cut with the first seed.
                    string? dir = run is null ? null : Options.Members == 1 ? run.Fold(f).Root : Path.Combine(run.Fold(f).Root, $"member-{m + 1}");
                    // The last epoch's weights: the fold's best epoch would be chosen on the people it is scored on.
                    var trainer = new Trainer(Options.Training with { RunDirectory = dir, Resume = false, Seed = Options.Training.Seed + 1000 * m, RestoreBestWeights = false });
                    foreach (var c in FoldCallbacks?.Invoke(f) ?? []) trainer.AddCallback(c);
                    var result = trainer.Fit(data, splits[f], spec, cancellationToken);
                    members.Add(result);
                    if (result.Cancelled || result.LastEpoch is null) throw new OperationCanceledException(cancellationToken);
                    if (dir is not null) KeepLastEpoch(new RunFolder(dir), result.Model);
                }
                var first = members[0];
                var report = members.Count == 1 ? first.LastEpoch! : EnsembleReport(members, data, splits[f], cancellationToken);
                var fold = new CrossValidationFold(f, splits[f], report, first.History, first.BestEpoch, sw.Elapsed)
                {
                    MemberReports = members.Count == 1 ? [] : members.Select(r => r.LastEpoch!).ToList(),
                };
                folds.Add(fold);
                onFold?.Invoke(fold);
            }
            finally
            {
                foreach (var r in members) r.Model.Dispose();
            }
        }
        var cv = new CrossValidationResult(spec.Name, data.Origin, Options.GroupBySubject && data.HasSubjects, folds, Options.Training, total.Elapsed);
        if (run is not null) cv.WriteJson(run.CrossValidation);
        return cv;
    }

    // The fold folder keeps the model it scored. best.mien, the epoch that did best on the fold's held-out people, would
    // invite the very leak the last epoch avoids.
    private static void KeepLastEpoch(RunFolder folder, EmotionModel model)
    {
        model.Save(folder.LastModel);
        File.Delete(folder.BestModel);
    }

    // The members' last-epoch networks scored together on the fold's held-out side: the mean of their probabilities.
    private ClassificationReport EnsembleReport(List<TrainingResult> members, FaceDataset data, DataSplit split, CancellationToken cancellationToken)
    {
        var average = new ModelAverage(members.Select(r => r.Model).ToList());
        return Evaluator.Evaluate(members[0].Model, data, split.Validation, Options.Training.ValidationFlipAverage, cancellationToken, average.PredictProbabilities);
    }
}

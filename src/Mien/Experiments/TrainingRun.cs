using Mien.Data;
using Mien.Evaluation;
using Mien.IO;
using Mien.Models;
using Mien.Reporting;
using Mien.Splits;
using Mien.Training;

namespace Mien.Experiments;

/// <summary>
/// One training experiment end to end, as <c>mien train</c> runs it: the honest split, training with the best
/// epoch kept, the held-out test scored, and the run folder filled (best model, metrics.json, history, split,
/// checkpoints, report.html).
/// </summary>
public sealed class TrainingRun(TrainingRunOptions options)
{
    /// <summary>The settings it runs with.</summary>
    public TrainingRunOptions Options { get; } = options;

    /// <summary>The split the run will use (deterministic for a seed).</summary>
    public DataSplit Split(FaceDataset data) =>
        Splitter.HoldOut(data, Options.ValidationFraction, Options.TestFraction, Options.Training.Seed, Options.GroupBySubject, Options.DropTrainingDuplicates);

    /// <summary>Trains on <paramref name="split"/> and fills the run folder; returns the kept model and its scores.</summary>
    public TrainingRunResult Run(FaceDataset data, DataSplit split, ModelSpec spec, IEnumerable<ITrainingCallback>? callbacks = null,
        CancellationToken cancellationToken = default)
    {
        if (Options.Training.RunDirectory is not { } dir) throw new ArgumentException("A training run needs a run directory (TrainingOptions.RunDirectory).");
        var run = new RunFolder(dir);
        var trainer = new Trainer(Options.Training);
        foreach (var c in callbacks ?? []) trainer.AddCallback(c);
        var result = trainer.Fit(data, split, spec, cancellationToken);
        result.Model.Save(run.BestModel);
        // A cancelled run is not scored on the held-out test: it would be read as the final score (and the token is already cancelled).
        var test = split.Test.Length > 0 && !result.Cancelled ? Evaluator.Evaluate(result.Model, data, split.Test, cancellationToken: cancellationToken) : null;
        var done = new TrainingRunResult(run, split, result, test);
        MienJson.Write(run.Metrics, done.ToSerializable());
        // A failed chart must not fail a finished run: the model and metrics are already saved.
        try { return done with { ReportPath = TrainingReport.Write(run.Root, result, data, split, test) }; }
        catch (Exception e) when (e is not OperationCanceledException) { return done with { ReportError = e.Message }; }
    }
}

using Mien.Models;
using Mien.Splits;
using Mien.Training;

namespace Mien.Tests.Training;

/// <summary>
/// What a <c>kill -9</c> leaves a run folder in, rebuilt in-process (bench/kill_resume.sh does it with real kills): the
/// resumed run must finish as the uninterrupted one with the same seed did.
/// </summary>
public class KillResumeTests
{
    private static readonly ModelSpec Spec = ModelSpec.FromJson("""
        { "name": "test-kill", "input_size": 48, "layers": [
          { "type": "conv2d", "filters": 8, "batchnorm": true, "activation": "relu" }, { "type": "maxpool" },
          { "type": "conv2d", "filters": 16, "activation": "relu" }, { "type": "global_avg_pool" },
          { "type": "dropout", "rate": 0.3 } ] }
        """);

    private static readonly DataSplit Split = Splitter.HoldOut(SmallTraining.Ck, 0.3, seed: 2);

    // Batch norm, dropout (LibTorch's global generator), augmentation and shuffling (the trainer's), AdamW, cosine.
    private static TrainingOptions Options(string dir) => new() { Epochs = 4, BatchSize = 32, Seed = 9, Threads = 1, RunDirectory = dir };

    private static EpochMetrics[] Figures(IEnumerable<EpochMetrics> history) => [.. history.Select(h => h with { Seconds = 0, ImagesPerSecond = 0 })];

    /// <summary>Stands for the kill: ends Fit after the given epoch's checkpoint is committed, or during the given batch.</summary>
    private sealed class Kill(int afterEpoch, bool duringFirstBatch = false) : ITrainingCallback
    {
        public Action<TrainingContext>? AtEpochEnd { get; init; }
        public void OnBatchEnd(TrainingContext c, BatchProgress p) { if (duringFirstBatch) throw new OperationCanceledException("killed"); }
        public void OnEpochEnd(TrainingContext c)
        {
            AtEpochEnd?.Invoke(c);
            if (c.Epoch == afterEpoch) throw new OperationCanceledException("killed");
        }
    }

    [Fact]
    public void A_run_killed_between_its_best_model_and_its_checkpoint_resumes_to_the_uninterrupted_result()
    {
        using var tmp = TestData.NewTempDir();
        var reference = new Trainer(Options(tmp["ref"])).Fit(SmallTraining.Ck, Split, Spec);

        // Epoch 3 wrote best.mien and history, then the kill came before its checkpoint: put checkpoint 2 back.
        string run = tmp["run"], saved = tmp["checkpoint-2"];
        var kill = new Kill(3)
        {
            AtEpochEnd = c =>
            {
                if (c.Epoch != 2) return;
                Directory.CreateDirectory(saved);
                foreach (var f in Directory.GetFiles(Path.Combine(run, "checkpoints"))) File.Copy(f, Path.Combine(saved, Path.GetFileName(f)));
            },
        };
        Assert.Throws<OperationCanceledException>(() => new Trainer(Options(run)).AddCallback(kill).Fit(SmallTraining.Ck, Split, Spec));
        Directory.Delete(Path.Combine(run, "checkpoints"), recursive: true);
        Directory.Move(saved, Path.Combine(run, "checkpoints"));
        // best.mien is one epoch ahead of the checkpoint; make it unlike any epoch of this run (as a redo on several
        // threads, which is not bit-exact, could leave it): the resumed run must take its best model from the checkpoint.
        using (var other = EmotionModel.Create(Spec, SmallTraining.Ck.ClassNames, 0.5f, 0.25f)) other.Save(Path.Combine(run, "best.mien"));
        // The temporary files of the writes the kill cut short.
        string[] leftovers = [Path.Combine(run, "checkpoints", $".epoch-003.mien.{Guid.NewGuid():N}.tmp"), Path.Combine(run, "checkpoints", $"epoch-003.optim.{Guid.NewGuid():N}.tmp"),
                              Path.Combine(run, $"history.json.{Guid.NewGuid():N}.tmp")];
        foreach (var f in leftovers) File.WriteAllText(f, "half a file");

        var resumed = new Trainer(Options(run) with { Resume = true }).Fit(SmallTraining.Ck, Split, Spec);

        Assert.Equal(Figures(reference.History), Figures(resumed.History));
        Assert.Equal(reference.BestEpoch, resumed.BestEpoch);
        Assert.Equal(Trainer.SaveWeights(reference.Model.Network), Trainer.SaveWeights(resumed.Model.Network));
        Assert.Empty(Directory.GetFiles(run, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_run_killed_before_its_first_checkpoint_resumes_by_starting_over_and_an_empty_folder_is_still_refused()
    {
        using var tmp = TestData.NewTempDir();
        var reference = new Trainer(Options(tmp["ref"])).Fit(SmallTraining.Ck, Split, Spec);

        string run = tmp["run"];
        Assert.Throws<OperationCanceledException>(() => new Trainer(Options(run)).AddCallback(new Kill(0, duringFirstBatch: true)).Fit(SmallTraining.Ck, Split, Spec));
        Assert.False(File.Exists(Path.Combine(run, "checkpoints", "checkpoint.json")));
        var messages = new List<string>();
        var resumed = new Trainer(Options(run) with { Resume = true }).AddCallback(new Messages(messages)).Fit(SmallTraining.Ck, Split, Spec);
        Assert.Contains(messages, m => m.Contains("no checkpoint yet", StringComparison.Ordinal));
        Assert.Equal(Figures(reference.History), Figures(resumed.History));
        Assert.Equal(Trainer.SaveWeights(reference.Model.Network), Trainer.SaveWeights(resumed.Model.Network));

        // Nothing ever ran there (a mistyped --out): refused, not started.
        var none = Assert.Throws<Mien.IO.MienException>(() => new Trainer(Options(tmp["empty"]) with { Resume = true }).Fit(SmallTraining.Ck, Split, Spec));
        Assert.Contains("no checkpoint", none.Message);
    }

    private sealed class Messages(List<string> into) : ITrainingCallback
    {
        public void OnMessage(string message) => into.Add(message);
    }
}

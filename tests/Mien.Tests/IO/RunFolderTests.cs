using Mien.IO;

namespace Mien.Tests.IO;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class RunFolderTests
{
    [Fact]
    public void A_run_killed_before_metrics_json_is_called_unfinished_and_overwrite_clears_interrupted_writes()
    {
        using var tmp = TestData.NewTempDir();
        var run = new RunFolder(tmp["run"]).Create();
        // A kill after the first improving epoch wrote best.mien, before any checkpoint: not a finished run.
        File.WriteAllText(run.BestModel, "model");
        string leftover = AtomicFile.TemporaryFor(run.HistoryJson), hidden = AtomicFile.TemporaryFor(Path.Combine(run.Checkpoints, ".epoch-001.mien"));
        File.WriteAllText(leftover, "half");
        File.WriteAllText(hidden, "half");
        var e = Assert.Throws<MienException>(() => run.PrepareNewRun(resume: false, overwrite: false));
        Assert.Contains("unfinished run", e.Message);
        Assert.True(run.StoppedBeforeFirstCheckpoint);

        File.WriteAllText(run.Metrics, "{}");
        Assert.Contains("already holds a finished run", Assert.Throws<MienException>(() => run.PrepareNewRun(false, false)).Message);
        Assert.False(run.StoppedBeforeFirstCheckpoint);

        File.WriteAllText(tmp["run/notes.tmp"], "the user's"); // not a name of Mien's writes
        run.PrepareNewRun(resume: false, overwrite: true);
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(tmp["run/notes.tmp"]));
        Assert.True(AtomicFile.IsTemporary(Path.GetFileName(hidden)));
        Assert.False(AtomicFile.IsTemporary("epoch-001.optim.tmp"));
    }

    [Fact]
    public void A_run_folder_in_use_is_refused_naming_the_process_and_is_free_again_once_released()
    {
        using var tmp = TestData.NewTempDir();
        var run = new RunFolder(tmp["run"]).Create();
        using (run.Lock())
        {
            var e = Assert.Throws<MienException>(() => new RunFolder(tmp["run"]).Lock());
            Assert.Contains($"'{run.Root}' is in use by another Mien process (pid {Environment.ProcessId})", e.Message);
        }
        using (new RunFolder(tmp["run"]).Lock()) { } // released: a resume may take it
    }

    [Fact]
    public void A_second_trainer_into_a_folder_being_trained_stops_with_a_clear_error()
    {
        using var tmp = TestData.NewTempDir();
        var run = new RunFolder(tmp["run"]).Create();
        using var held = run.Lock(); // another process's run, as far as the trainer can tell
        var o = new Mien.Training.TrainingOptions { Epochs = 1, RunDirectory = run.Root };
        var data = Mien.Tests.Training.SmallTraining.Ck;
        var e = Assert.Throws<MienException>(() => new Mien.Training.Trainer(o).Fit(data, Mien.Splits.Splitter.HoldOut(data, 0.25, seed: 1), Mien.Tests.Training.SmallTraining.Tiny));
        Assert.Contains("in use by another Mien process", e.Message);
        Assert.False(File.Exists(run.BestModel));
    }
}

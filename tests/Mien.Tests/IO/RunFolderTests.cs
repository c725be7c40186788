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
}

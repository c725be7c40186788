using Mien.Models;
using Mien.Splits;
using Mien.Training;
using TorchSharp;

namespace Mien.Tests.Training;

/// <summary>Stochastic weight averaging (--swa): the mean of the last epochs' weights, batch norm re-estimated, kept only when it validates better.</summary>
public class WeightAveragingTests
{
    /// <summary>Copies every parameter and batch-norm buffer at each epoch's end.</summary>
    private sealed class Snapshots : ITrainingCallback
    {
        public List<Dictionary<string, float[]>> Parameters { get; } = [];
        public Dictionary<string, float[]> LastBuffers { get; } = [];
        public void OnEpochEnd(TrainingContext c)
        {
            Parameters.Add(c.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().contiguous().data<float>().ToArray()));
            foreach (var (name, b) in c.Network.named_buffers().Where(b => b.buffer.is_floating_point()))
                LastBuffers[name] = b.detach().cpu().contiguous().data<float>().ToArray();
        }
    }

    private static TrainingOptions Options(string run) => new()
    {
        Epochs = 3, AveragedEpochs = 2, BatchSize = 32, Seed = 3, Schedule = "none", WarmupEpochs = 0, LearningRate = 3e-3, RunDirectory = run,
    };

    [Fact]
    public void The_averaged_model_holds_the_mean_of_the_last_epochs_weights_with_batch_norm_re_estimated()
    {
        using var tmp = TestData.NewTempDir();
        var split = Splitter.HoldOut(SmallTraining.Ck, 0.25, seed: 1);
        var seen = new Snapshots();
        var result = new Trainer(Options(tmp["run"])).AddCallback(seen).Fit(SmallTraining.Ck, split, SmallTraining.Tiny);

        string swa = Path.Combine(tmp["run"], "swa.mien");
        Assert.True(File.Exists(swa), "swa.mien was not written");
        using var averaged = EmotionModel.Load(swa, InferencePrecision.Float32);
        int checkedTensors = 0;
        foreach (var (name, p) in averaged.Network.named_parameters())
        {
            var got = p.detach().contiguous().data<float>().ToArray();
            var a = seen.Parameters[1][name];
            var b = seen.Parameters[2][name];
            for (int i = 0; i < got.Length; i++) Assert.Equal((a[i] + b[i]) / 2, got[i], 1e-5); // a tolerance: rounding to decimals would flake at the boundaries
            checkedTensors++;
        }
        Assert.True(checkedTensors > 0);
        // The epochs' weights moved, so the mean is not simply the last epoch's.
        Assert.Contains(seen.Parameters[1], kv => !kv.Value.SequenceEqual(seen.Parameters[2][kv.Key]));

        // Running statistics come from a pass with the averaged weights, not from the last epoch.
        var means = averaged.Network.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(means);
        foreach (var (name, buffer) in means)
            Assert.False(buffer.detach().contiguous().data<float>().ToArray().SequenceEqual(seen.LastBuffers[name]), $"{name} was not re-estimated");

        // The result is whichever scored higher: the averaged weights or the best epoch.
        double bestEpoch = result.History.Max(h => h.ValidationAccuracy);
        Assert.True(result.Validation.Accuracy >= bestEpoch - 1e-9, $"result {result.Validation.Accuracy} below the best epoch {bestEpoch}");
        Assert.Contains(result.AveragedEpochs, new[] { 0, 2 });
        var kept = result.Model.Network.named_parameters().First();
        var expected = result.AveragedEpochs == 2 ? averaged.Network.named_parameters().First().parameter : null;
        if (expected is not null) Assert.Equal(expected.detach().contiguous().data<float>().ToArray(), kept.parameter.detach().contiguous().data<float>().ToArray());
    }

    /// <summary>Cancels the run in the first batch of <paramref name="epoch"/> and records the messages.</summary>
    private sealed class CancelAt(int epoch, CancellationTokenSource cts) : ITrainingCallback
    {
        public List<string> Messages { get; } = [];
        public void OnBatchEnd(TrainingContext c, BatchProgress p) { if (c.Epoch == epoch) cts.Cancel(); }
        public void OnMessage(string message) => Messages.Add(message);
    }

    [Fact]
    public void A_cancelled_run_averages_nothing_and_says_so()
    {
        using var tmp = TestData.NewTempDir();
        using var cts = new CancellationTokenSource();
        var split = Splitter.HoldOut(SmallTraining.Ck, 0.25, seed: 1);
        var cancel = new CancelAt(4, cts); // epochs 2 and 3 are averaged by then
        var result = new Trainer(Options(tmp["run"]) with { Epochs = 4, AveragedEpochs = 3 }).AddCallback(cancel)
            .Fit(SmallTraining.Ck, split, SmallTraining.Tiny, cts.Token);

        Assert.True(result.Cancelled);
        Assert.Equal(0, result.AveragedEpochs);
        Assert.False(File.Exists(Path.Combine(tmp["run"], "swa.mien")));
        Assert.Contains(cancel.Messages, m => m.Contains("Cancelled: the 2 epochs averaged so far are not used", StringComparison.Ordinal));
    }

    [Fact]
    public void Cross_validation_refuses_weight_averaging()
    {
        var o = new Mien.Experiments.CrossValidationOptions { Training = new TrainingOptions { Epochs = 3, AveragedEpochs = 2 } };
        Assert.Contains("--swa", Assert.Throws<ArgumentException>(o.Validate).Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Averaging_fewer_than_two_or_more_than_the_runs_epochs_is_refused(int epochs)
    {
        var e = Assert.Throws<ArgumentException>(() => (new TrainingOptions { Epochs = 3 } with { AveragedEpochs = epochs }).Validate());
        Assert.Contains("weight averaging", e.Message);
    }
}

using Mien.Data;
using Mien.Models;
using Mien.Splits;
using Mien.Training;

namespace Mien.Tests.Training;

/// <summary>A callback is one class plus one AddCallback: it sees the loop, can change the optimizer, and can stop training.</summary>
public class TrainingCallbackTests
{
    private static FaceDataset Ck => SmallTraining.Ck;
    private static ModelSpec Tiny => SmallTraining.Tiny;

    /// <summary>A user's callback: records what it saw, halves the learning rate of every group, stops after two epochs.</summary>
    private sealed class StopAfterTwo : ITrainingCallback
    {
        public List<string> Seen { get; } = [];
        public void OnTrainingStart(TrainingContext c) => Seen.Add($"start {c.TrainCount}");
        public void OnEpochStart(TrainingContext c) => Seen.Add($"epoch {c.Epoch}");
        public void OnEpochEnd(TrainingContext c)
        {
            Seen.Add($"end {c.Epoch} best {c.BestEpoch} history {c.History.Count}");
            if (c.Epoch == 2) c.RequestStop("stopped by the test callback");
        }
        public void OnTrainingEnd(TrainingContext c) => Seen.Add("finish");
    }

    private sealed class Messages : ITrainingCallback
    {
        public List<string> Lines { get; } = [];
        public void OnMessage(string message) => Lines.Add(message);
    }

    [Fact]
    public void A_user_callback_sees_every_epoch_and_can_stop_training()
    {
        var split = Splitter.HoldOut(Ck, 0.25, seed: 1);
        var stop = new StopAfterTwo();
        var messages = new Messages();
        var result = new Trainer(new TrainingOptions { Epochs = 10, BatchSize = 32, Seed = 1 }).AddCallback(stop).AddCallback(messages).Fit(Ck, split, Tiny);
        Assert.Equal(2, result.History.Count);
        Assert.Equal($"start {split.Train.Length}", stop.Seen[0]);
        Assert.Equal("epoch 1", stop.Seen[1]);
        Assert.StartsWith("end 2 best", stop.Seen[^2]);
        Assert.Equal("finish", stop.Seen[^1]);
        Assert.Contains("stopped by the test callback", messages.Lines);
        Assert.NotNull(result.LastEpoch);
    }

    [Fact]
    public void Early_stopping_is_a_callback_that_ends_a_run_without_improvement()
    {
        var split = Splitter.HoldOut(Ck, 0.25, seed: 1);
        var cb = new EarlyStopping(1);
        // A learning rate too small to move anything: the best epoch stays early and patience 1 ends the run.
        var result = new Trainer(new TrainingOptions { Epochs = 8, BatchSize = 32, Seed = 1, LearningRate = 1e-9, MinLearningRate = 1e-10, WarmupEpochs = 0, Augmentation = AugmentationOptions.None })
            .AddCallback(cb).Fit(Ck, split, Tiny);
        Assert.True(result.History.Count < 8, $"ran all {result.History.Count} epochs");
    }

    /// <summary>
    /// After the last batch, sets every weight to 0 and the classifier's bias to answer the class rarest in validation,
    /// so that the last epoch scores below every earlier one.
    /// </summary>
    private sealed class SpoilLastEpoch : ITrainingCallback
    {
        public void OnBatchEnd(TrainingContext c, BatchProgress p)
        {
            if (c.Epoch != c.Epochs || p.Batch != p.Batches) return;
            var counts = c.Data.ClassCounts(c.Split.Validation);
            int rarest = Array.IndexOf(counts, counts.Min());
            using var _ = TorchSharp.torch.no_grad();
            var all = c.Network.parameters().ToList();
            foreach (var w in all) w.zero_();
            all[^1][rarest] = TorchSharp.torch.tensor(1f);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_result_holds_the_best_epochs_weights_unless_asked_for_the_last(bool restore)
    {
        var split = Splitter.HoldOut(Ck, 0.25, seed: 1);
        var o = new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 1, Schedule = "none", WarmupEpochs = 0, LearningRate = 1e-2, RestoreBestWeights = restore };
        var result = new Trainer(o).AddCallback(new SpoilLastEpoch()).Fit(Ck, split, Tiny);
        Assert.True(result.BestEpoch != 3, string.Join("; ", result.History.Select(h => $"{h.ValidationAccuracy:F3} {h.ValidationLoss:F3}")));
        var best = result.History[result.BestEpoch - 1];
        if (restore) Assert.Equal(best.ValidationLoss, result.Validation.Loss, 4);
        else Assert.Equal(result.LastEpoch!.Loss, result.Validation.Loss, 4);
        Assert.NotEqual(best.ValidationLoss, result.History[^1].ValidationLoss);
    }
}

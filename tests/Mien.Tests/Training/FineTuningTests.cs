using Mien.Data;
using Mien.Models;
using Mien.Splits;
using Mien.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Tests.Training;

/// <summary>Fine-tuning as callbacks and options: a frozen body for the first epochs, discriminative learning rates, frozen batch-norm statistics.</summary>
public class FineTuningTests
{
    private static FaceDataset Ck => SmallTraining.Ck;
    private static ModelSpec Tiny => SmallTraining.Tiny;

    /// <summary>Copies of the body's and the classifier's weights at the end of every epoch, and each group's learning rate mid-epoch.</summary>
    private sealed class Snapshots : ITrainingCallback
    {
        public List<(float[] Body, float[] Head, float[] BnMean)> AtEnd { get; } = [];
        public List<double[]> Rates { get; } = [];

        public void OnBatchEnd(TrainingContext c, BatchProgress p) =>
            Rates.Add(c.Optimizer.ParamGroups.Select(g => g.LearningRate).ToArray());

        public void OnEpochEnd(TrainingContext c)
        {
            var ps = c.Network.named_parameters().ToList();
            float[] Flat(Func<string, bool> which) => ps.Where(p => which(p.name)).SelectMany(p => p.parameter.detach().flatten().data<float>().ToArray()).ToArray();
            var bn = c.Network.modules().OfType<TorchSharp.Modules.BatchNorm2d>().First();
            AtEnd.Add((Flat(n => !n.StartsWith("classifier.")), Flat(n => n.StartsWith("classifier.")), bn.running_mean!.data<float>().ToArray()));
        }
    }

    [Fact]
    public void Freeze_epochs_train_only_the_classifier_first_then_everything()
    {
        var split = Splitter.HoldOut(Ck, 0.25, seed: 1);
        var seen = new Snapshots();
        var options = new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 1, FreezeEpochs = 2, WarmupEpochs = 0 };
        var result = new Trainer(options).AddCallback(seen).Fit(Ck, split, Tiny);

        Assert.Equal(3, result.History.Count);
        Assert.Equal(seen.AtEnd[0].Body, seen.AtEnd[1].Body);     // epochs 1-2: the body does not move
        Assert.NotEqual(seen.AtEnd[0].Head, seen.AtEnd[1].Head);  // ... while the classifier learns
        Assert.NotEqual(seen.AtEnd[1].Body, seen.AtEnd[2].Body);  // epoch 3: everything trains
        Assert.All(result.Model.Network.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void Discriminative_rates_give_early_layers_a_smaller_share_of_the_schedule()
    {
        var split = Splitter.HoldOut(Ck, 0.25, seed: 1);
        var seen = new Snapshots();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32, Seed = 1, BodyLearningRateFactor = 0.01, WarmupEpochs = 0, Schedule = "none", LearningRate = 0.002 };
        new Trainer(options).AddCallback(seen).Fit(Ck, split, Tiny);

        var rates = seen.Rates[0];
        Assert.Equal(3, rates.Length);
        Assert.Equal(0.002 * 0.01, rates[0], 12);
        Assert.Equal(0.002 * 0.1, rates[1], 12);
        Assert.Equal(0.002, rates[2], 12);
        Assert.Throws<ArgumentException>(() => new TrainingOptions { BodyLearningRateFactor = 2 }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingOptions { Epochs = 3, FreezeEpochs = 3 }.Validate());
    }

    [Fact]
    public void Frozen_batch_norm_keeps_its_statistics_while_the_weights_learn()
    {
        var split = Splitter.HoldOut(Ck, 0.25, seed: 1);
        var frozen = new Snapshots();
        var free = new Snapshots();
        new Trainer(new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 1, FreezeBatchNorm = true }).AddCallback(frozen).Fit(Ck, split, Tiny);
        new Trainer(new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 1 }).AddCallback(free).Fit(Ck, split, Tiny);

        Assert.All(frozen.AtEnd.SelectMany(s => s.BnMean), m => Assert.Equal(0f, m)); // a fresh layer's running mean, never updated
        Assert.Contains(free.AtEnd[^1].BnMean, m => m != 0f);                        // without the callback it follows the data
        Assert.NotEqual(frozen.AtEnd[0].Body, frozen.AtEnd[1].Body);                   // the weights still learn
    }
}

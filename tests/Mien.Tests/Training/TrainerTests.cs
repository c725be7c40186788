using Mien.Data;
using Mien.Evaluation;
using Mien.Models;
using Mien.Splits;
using Mien.Training;

namespace Mien.Tests.Training;

public class TrainerTests
{
    internal static readonly FaceDataset Ck = DatasetLoader.Load(TestData.CkPlusZip);

    /// <summary>A small conv net for training tests (a few seconds an epoch on CK+).</summary>
    internal static readonly ModelSpec Small = ModelSpec.FromJson("""
        { "name": "test-small", "input_size": 48, "layers": [
          { "type": "conv2d", "filters": 16, "batchnorm": true, "activation": "relu" }, { "type": "maxpool" },
          { "type": "conv2d", "filters": 32, "batchnorm": true, "activation": "relu" }, { "type": "maxpool" },
          { "type": "conv2d", "filters": 64, "batchnorm": true, "activation": "relu" }, { "type": "maxpool" },
          { "type": "global_avg_pool" } ] }
        """);

    [Fact]
    public void Short_training_on_ckplus_lowers_the_loss_and_beats_chance_on_unseen_subjects()
    {
        var split = Splitter.HoldOut(Ck, 0.25, seed: 11);
        Assert.Empty(split.LeakedSubjects(Ck));
        var options = new TrainingOptions { Epochs = 8, BatchSize = 32, LearningRate = 3e-3, Seed = 11, WarmupEpochs = 0 };
        var result = new Trainer(options).Fit(Ck, split, Small);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss * 0.8,
            $"train loss should fall: {result.History[0].TrainLoss:F3} -> {result.History[^1].TrainLoss:F3}");
        // Chance: always predicting the largest class of the validation side.
        double majority = Ck.ClassCounts(split.Validation).Max() / (double)split.Validation.Length;
        var report = Evaluator.Evaluate(result.Model, Ck, split.Validation);
        Assert.True(report.Accuracy > majority + 0.1, $"held-out-subject accuracy {report.Accuracy:P1} vs majority-class {majority:P1}");
        Assert.Equal(report.Accuracy, result.Validation.Accuracy, 6);
    }

    [Fact]
    public void Same_seed_gives_the_same_model()
    {
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 4 == 0).ToArray());
        var split = Splitter.HoldOut(sub, 0.3, seed: 2);
        var o = new TrainingOptions { Epochs = 1, BatchSize = 32, Seed = 5, Threads = 1 };
        var a = new Trainer(o).Fit(sub, split, Small);
        var b = new Trainer(o).Fit(sub, split, Small);
        var pa = Evaluator.PredictProbabilities(a.Model, sub, split.Validation);
        var pb = Evaluator.PredictProbabilities(b.Model, sub, split.Validation);
        for (int i = 0; i < pa.Length; i++) Assert.Equal(pa[i], pb[i]);
    }

    [Fact]
    public void Validation_with_tta_scores_the_mirrored_average_and_records_it()
    {
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 4 == 1).ToArray());
        var split = Splitter.HoldOut(sub, 0.3, seed: 2);
        var o = new TrainingOptions { Epochs = 1, BatchSize = 32, Seed = 5, ValidationFlipAverage = true };
        var r = new Trainer(o).Fit(sub, split, Small);
        var flipped = Evaluator.Evaluate(r.Model, sub, split.Validation, flipAverage: true);
        var plain = Evaluator.Evaluate(r.Model, sub, split.Validation);
        Assert.Equal(flipped.Loss, r.Validation.Loss, 5);
        Assert.Equal(flipped.Loss, r.LastEpoch!.Loss, 5);
        // Not vacuous: a mirrored face changes an untrained-ish network's answer, so the two scorings differ.
        Assert.NotEqual(plain.Loss, flipped.Loss, 5);
        Assert.Equal("flip", r.Model.Metadata.Training!["validation_tta"]);
    }

    [Fact]
    public void Run_folder_has_history_split_best_model_and_resume_continues()
    {
        using var tmp = TestData.NewTempDir();
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 3 == 0).ToArray());
        var split = Splitter.HoldOut(sub, 0.3, seed: 2);
        var o = new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 5, RunDirectory = tmp.Path };
        new Trainer(o).Fit(sub, split, Small);
        Assert.True(File.Exists(tmp["history.csv"]) && File.Exists(tmp["history.json"]) && File.Exists(tmp["split.json"]) && File.Exists(tmp["best.mien"]));
        Assert.Equal(3, File.ReadAllLines(tmp["history.csv"]).Length);

        // Resume to 3 epochs: only the third runs, and history keeps the first two.
        var resumed = new Trainer(o with { Epochs = 3, Resume = true }).Fit(sub, split, Small);
        Assert.Equal([1, 2, 3], resumed.History.Select(h => h.Epoch));
        Assert.Equal(4, File.ReadAllLines(tmp["history.csv"]).Length);
        // The newest epoch's model, and the best epoch's when it is an older one (the checkpoint's copy of the best model).
        Assert.Equal(new[] { 3, resumed.BestEpoch }.Distinct().Order().Select(e => $"epoch-{e:D3}.mien"),
            Directory.GetFiles(tmp["checkpoints"], "epoch-*.mien").Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Resume_reads_a_history_that_holds_a_NaN_loss()
    {
        using var tmp = TestData.NewTempDir();
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 6 == 0).ToArray());
        var split = Splitter.HoldOut(sub, 0.3, seed: 2);
        var o = new TrainingOptions { Epochs = 1, BatchSize = 32, Seed = 5, RunDirectory = tmp.Path };
        new Trainer(o).Fit(sub, split, Small);
        // A diverged epoch: its loss is written as the literal "NaN" and must read back.
        string ck = tmp["checkpoints/checkpoint.json"];
        var text = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(ck), "\"train_loss\": [0-9.eE+-]+", "\"train_loss\": \"NaN\"");
        Assert.Contains("\"NaN\"", text);
        File.WriteAllText(ck, text);
        var resumed = new Trainer(o with { Epochs = 2, Resume = true }).Fit(sub, split, Small);
        Assert.Equal([1, 2], resumed.History.Select(h => h.Epoch));
        Assert.True(double.IsNaN(resumed.History[0].TrainLoss));
    }

    [Fact]
    public void Resume_without_a_checkpoint_or_with_other_data_is_refused()
    {
        using var tmp = TestData.NewTempDir();
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 6 == 0).ToArray());
        var split = Splitter.HoldOut(sub, 0.3, seed: 2);
        var o = new TrainingOptions { Epochs = 1, BatchSize = 32, Seed = 5, RunDirectory = tmp.Path, Resume = true };
        var none = Assert.Throws<Mien.IO.MienException>(() => new Trainer(o).Fit(sub, split, Small));
        Assert.Contains("no checkpoint", none.Message);
        new Trainer(o with { Resume = false }).Fit(sub, split, Small);
        var other = Splitter.HoldOut(sub, 0.3, seed: 3);
        var e = Assert.Throws<Mien.IO.MienException>(() => new Trainer(o with { Epochs = 2 }).Fit(sub, other, Small));
        Assert.Contains("other data", e.Message);
    }

    [Fact]
    public void Soft_label_loss_equals_the_hard_label_loss_on_one_hot_votes()
    {
        using var logits = TorchSharp.torch.randn(16, 7, generator: new TorchSharp.torch.Generator(3));
        var labels = Enumerable.Range(0, 16).Select(i => (long)(i * 5 % 7)).ToArray();
        using var y = TorchSharp.torch.tensor(labels);
        using var onehot = TorchSharp.torch.nn.functional.one_hot(y, 7).to(TorchSharp.torch.ScalarType.Float32);
        foreach (double smoothing in new[] { 0.0, 0.1 })
        {
            float hard = TorchSharp.torch.nn.functional.cross_entropy(logits, y, label_smoothing: smoothing).item<float>();
            float soft = Trainer.SoftCrossEntropy(logits, onehot, labelSmoothing: smoothing).item<float>();
            Assert.Equal(hard, soft, 5);
        }
        // A split vote costs less than a confident wrong one-hot: the distribution is what is learnt.
        using var half = (onehot * 0.5f + onehot.roll(1, 1) * 0.5f);
        Assert.NotEqual(Trainer.SoftCrossEntropy(logits, onehot).item<float>(), Trainer.SoftCrossEntropy(logits, half).item<float>(), 3);
    }

    private sealed class ValidationRecorder : ITrainingCallback
    {
        public List<(double Accuracy, double Balanced)> Scores { get; } = [];
        public void OnEpochEnd(TrainingContext context) => Scores.Add((context.LastValidation!.Accuracy, context.LastValidation.BalancedAccuracy));
    }

    [Fact]
    public void Monitor_balanced_accuracy_keeps_the_epoch_with_the_best_mean_recall_and_a_resume_must_keep_the_monitor()
    {
        using var tmp = TestData.NewTempDir();
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 3 == 0).ToArray());
        var split = Splitter.HoldOut(sub, 0.3, seed: 2);
        var o = new TrainingOptions { Epochs = 4, BatchSize = 32, Seed = 5, WarmupEpochs = 0, Monitor = "balanced-accuracy", RunDirectory = tmp.Path };
        var recorder = new ValidationRecorder();
        var result = new Trainer(o).AddCallback(recorder).Fit(sub, split, Small);
        var balanced = recorder.Scores.Select(s => s.Balanced).ToList();
        Assert.Equal(balanced.IndexOf(balanced.Max()) + 1, result.BestEpoch);
        // The kept weights are that epoch's: they score its balanced accuracy again.
        Assert.Equal(balanced.Max(), Evaluator.Evaluate(result.Model, sub, split.Validation).BalancedAccuracy, 6);

        var e = Assert.Throws<Mien.IO.MienException>(() => new Trainer(o with { Epochs = 5, Resume = true, Monitor = "accuracy" }).Fit(sub, split, Small));
        Assert.Contains("--monitor balanced-accuracy", e.Message);
        Assert.Contains("monitor", Assert.Throws<ArgumentException>(() => new TrainingOptions { Monitor = "f1" }.Validate()).Message);
    }

    [Fact]
    public void Bad_options_are_refused_with_the_setting_named()
    {
        Assert.Contains("optimizer 'lion'", Assert.Throws<ArgumentException>(() => new TrainingOptions { Optimizer = "lion" }.Validate()).Message);
        Assert.Contains("schedule", Assert.Throws<ArgumentException>(() => new TrainingOptions { Schedule = "zigzag" }.Validate()).Message);
        Assert.Contains("epochs", Assert.Throws<ArgumentException>(() => new TrainingOptions { Epochs = 0 }.Validate()).Message);
    }

    [Theory]
    [InlineData("sgd", "step")] [InlineData("adam", "plateau")] [InlineData("rmsprop", "none")]
    public void Every_optimizer_and_schedule_trains(string optimizer, string schedule)
    {
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 6 == 0).ToArray());
        var split = Splitter.HoldOut(sub, 0.3, seed: 2);
        var o = new TrainingOptions { Epochs = 2, BatchSize = 16, Optimizer = optimizer, Schedule = schedule, LearningRate = 1e-3, ClassWeights = true };
        var r = new Trainer(o).Fit(sub, split, Small);
        Assert.All(r.History, h => Assert.True(double.IsFinite(h.TrainLoss)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Networks_with_strided_1x1_convolutions_train_without_crashing(bool residual)
    {
        // A strided 1x1 convolution's channels-last backward crashes LibTorch 2.10 (a crash here kills the test host).
        // A user's spec with one must train NCHW; mini-xception's residual shortcuts avoid it (subsample + 1x1) and
        // train channels-last.
        var spec = residual ? ModelZoo.GetSpec("mini-xception") : ModelSpec.FromJson("""
            { "name": "strided-1x1", "input_size": 48, "layers": [
              { "type": "conv2d", "filters": 8, "batchnorm": true, "activation": "relu" },
              { "type": "conv2d", "filters": 16, "kernel": 1, "stride": 2 }, { "type": "global_avg_pool" } ] }
            """);
        Assert.Equal(residual, MemoryLayout.CanTrainChannelsLast(ModelBuilder.Build(spec, 7, out _)));
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 8 == 0).ToArray());
        var r = new Trainer(new TrainingOptions { Epochs = 1, BatchSize = 16 }).Fit(sub, Splitter.HoldOut(sub, 0.3, seed: 2), spec);
        Assert.True(double.IsFinite(r.History[0].TrainLoss));
    }

    [Fact]
    public void Fine_tuning_the_fer_model_beats_training_from_scratch_on_unseen_ck_subjects()
    {
        // Transfer learning: the bundled FER2013 model's features, two epochs on CK+, scored on people it never saw.
        using var tmp = TestData.NewTempDir();
        string initial = tmp["fer.mien"];
        using (var fer = Mien.Inference.DefaultModel.Load(InferencePrecision.Float32)) fer.Save(initial);
        var split = Splitter.HoldOut(Ck, 0.25, seed: 3);
        var o = new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 3 };
        var spec = ModelZoo.GetSpec("vgg-small");
        var scratch = new Trainer(o).Fit(Ck, split, spec);
        var tuned = new Trainer(o with { InitialModel = initial }).Fit(Ck, split, spec);
        Assert.True(tuned.Validation.Accuracy > scratch.Validation.Accuracy + 0.10,
            $"fine-tuned {tuned.Validation.Accuracy:P1} vs scratch {scratch.Validation.Accuracy:P1}");
        Assert.Equal("fer.mien", tuned.Model.Metadata.Training!["init_from"]);
        using var fer2 = EmotionModel.Load(initial, InferencePrecision.Float32);
        Assert.Equal(fer2.Metadata.Mean, tuned.Model.Metadata.Mean); // the pretrained normalisation is kept
    }

    [Fact]
    public void Weight_transfer_keeps_shared_classes_rows_and_can_freeze_the_features()
    {
        using var source = EmotionModel.Create(Small, ["anger", "happy", "sadness"], 0.5f, 0.25f);
        using var target = EmotionModel.Create(Small, ["happy", "contempt", "anger"], 0.5f, 0.25f);
        var t = WeightTransfer.Apply(source, target, freezeFeatures: true);
        Assert.Equal(["happy", "anger"], t.ClassesKept);
        Assert.Equal(["contempt"], t.ClassesNew);
        Assert.Equal(t.Tensors, t.TensorsCopied);
        var sw = source.Network.state_dict()["classifier.weight"];
        var tw = target.Network.state_dict()["classifier.weight"];
        Assert.True(tw[0].eq(sw[1]).all().item<bool>()); // happy
        Assert.True(tw[2].eq(sw[0]).all().item<bool>()); // anger
        Assert.False(tw[1].eq(sw[2]).all().item<bool>()); // contempt is new, not sadness
        var trainable = target.Network.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Equal(["classifier.weight", "classifier.bias"], trainable);
    }

    [Fact]
    public void An_initial_model_of_another_architecture_is_refused_by_name()
    {
        using var tmp = TestData.NewTempDir();
        using (var m = EmotionModel.Create(Small, Ck.ClassNames, 0.5f, 0.25f)) m.Save(tmp["small.mien"]);
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 8 == 0).ToArray());
        var e = Assert.Throws<ArgumentException>(() => new Trainer(new TrainingOptions { Epochs = 1, InitialModel = tmp["small.mien"] })
            .Fit(sub, Splitter.HoldOut(sub, 0.3, seed: 2), ModelZoo.GetSpec("vgg-small")));
        Assert.Contains("small.mien", e.Message);
        Assert.Contains("test-small", e.Message);
    }

    [Fact]
    public void The_logit_adjustment_is_tau_log_prior_of_the_train_split_and_makes_the_network_predict_the_frequent_class_less()
    {
        var split = Splitter.HoldOut(Ck, 0.25, seed: 11);
        var counts = Ck.ClassCounts(split.Train);
        using (var adj = Trainer.LogitAdjustment(Ck, split, 0.5))
        {
            var a = adj.data<float>().ToArray();
            Assert.Equal(Ck.ClassNames.Count, a.Length);
            for (int c = 0; c < a.Length; c++)
                Assert.Equal(0.5 * Math.Log(Math.Max((double)counts[c] / split.Train.Length, 1e-4)), a[c], 4);
        }

        // A skewed training side (surprise kept whole, the other classes a quarter): trained with the adjusted loss, the
        // network's own scores call fewer held-out faces surprise than the plain loss does.
        int surprise = Ck.ClassNames.ToList().IndexOf("surprise");
        var skewed = split with { Train = [.. split.Train.Where(i => Ck.Labels[i] == surprise || i % 4 == 0)] };
        int Surprises(double tau)
        {
            var o = new TrainingOptions { Epochs = 4, BatchSize = 32, LearningRate = 3e-3, Seed = 5, WarmupEpochs = 0, LogitAdjustment = tau };
            var r = new Trainer(o).Fit(Ck, skewed, Small);
            using var m = r.Model;
            return Evaluator.PredictProbabilities(m, Ck, split.Validation).Count(p => Evaluator.ArgMax(p) == surprise);
        }
        int plain = Surprises(0), adjusted = Surprises(1);
        Assert.True(adjusted < plain, $"held-out faces called surprise: {plain} with the plain loss, {adjusted} with the adjusted one");
        Assert.Throws<ArgumentException>(() => new TrainingOptions { LogitAdjustment = -1 }.Validate());
    }
}

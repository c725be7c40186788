using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mien.Data;
using Mien.Evaluation;
using Mien.IO;
using Mien.Models;
using Mien.Splits;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Training;

/// <summary>
/// Trains a network on the training side of a split (Keras' <c>fit</c>). The trainer runs only the loop: batches,
/// loss, optimizer step, one validation per epoch; everything else is a callback that sees a
/// <see cref="TrainingContext"/>: <see cref="KeepBestWeights"/>, <see cref="EarlyStopping"/>, <see cref="HistoryWriter"/>
/// and <see cref="CheckpointWriter"/> are added from the options, then the caller's own (<see cref="AddCallback"/>).
/// The whole training set lives in one normalised tensor; each batch is gathered with <c>index_select</c> and
/// augmented on the batch, so the cores spend their time in LibTorch's convolutions rather than in a data pipeline.
/// </summary>
public sealed class Trainer(TrainingOptions options)
{
    private readonly List<ITrainingCallback> _callbacks = [];

    /// <summary>The settings it trains with.</summary>
    public TrainingOptions Options { get; } = options;

    /// <summary>Adds a callback; it runs after the built-in ones, in the order added.</summary>
    public Trainer AddCallback(ITrainingCallback callback) { _callbacks.Add(callback); return this; }

    /// <summary>Mean and standard deviation of the grey values (0..1) of the given items.</summary>
    public static (float Mean, float Std) PixelStatistics(FaceDataset data, IReadOnlyList<int> indices)
    {
        double sum = 0, sumSq = 0;
        long n = 0;
        foreach (int i in indices)
            foreach (byte p in data.Image(i)) { double v = p / 255.0; sum += v; sumSq += v * v; n++; }
        double mean = sum / Math.Max(1, n);
        double std = Math.Sqrt(Math.Max(1e-8, sumSq / Math.Max(1, n) - mean * mean));
        return ((float)mean, (float)std);
    }

    /// <summary>The callbacks the options ask for, in the order they must run at each epoch's end.</summary>
    private IReadOnlyList<ITrainingCallback> Callbacks(RunFolder? run)
    {
        var all = new List<ITrainingCallback> { new KeepBestWeights() };
        if (run is not null) { all.Add(new HistoryWriter()); all.Add(new CheckpointWriter()); }
        if (Options.EarlyStoppingPatience > 0) all.Add(new EarlyStopping(Options.EarlyStoppingPatience));
        if (Options.FreezeEpochs > 0) all.Add(new FreezeBody(Options.FreezeEpochs));
        if (Options.FreezeBatchNorm) all.Add(new FrozenBatchNorm());
        if (Options.AveragedEpochs > 0) all.Add(new WeightAveraging(Options.AveragedEpochs));
        all.AddRange(_callbacks);
        return all;
    }

    /// <summary>Trains a new network of <paramref name="spec"/> on the split's training side and returns the best epoch's model.</summary>
    public TrainingResult Fit(FaceDataset data, DataSplit split, ModelSpec spec, CancellationToken cancellationToken = default)
    {
        var o = Options;
        o.Validate();
        if (split.Train.Length < 2) throw new ArgumentException("The training split has fewer than 2 images.");
        if (split.Validation.Length == 0) throw new ArgumentException("The validation split is empty.");
        if (data.Width != spec.InputSize) throw new ArgumentException($"The dataset was loaded at {data.Width}x{data.Height} but '{spec.Name}' takes {spec.InputSize}x{spec.InputSize}.");
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        torch.manual_seed(o.Seed);
        var generator = new Generator((ulong)o.Seed);
        using var initial = o.InitialModel is null ? null : EmotionModel.Load(o.InitialModel, InferencePrecision.Float32);
        if (initial is not null && initial.Metadata.Spec.ToJson() != spec.ToJson())
            throw new ArgumentException($"{o.InitialModel} is a '{initial.Metadata.Spec.Name}' model; train it with its own layer spec (the CLI does so with --init-from).");
        var backbone = o.PretrainedWeights is null ? null
            : Models.Onnx.OnnxBackbones.IsOnnx(spec) ? null
            : ModelZoo.IsBackbone(spec) ? Backbones.Find(spec.Layers[0].Name ?? "")
            : throw new ArgumentException($"pretrained weights load into a TorchVision backbone ({string.Join(", ", Backbones.Names)}); '{spec.Name}' has none.");
        // A pretrained network expects the inputs normalised as in its own training.
        var (mean, std) = initial is not null ? (initial.Metadata.Mean, initial.Metadata.Std)
            : o.PretrainedWeights is not null && spec.Layers[0].Graph is { } graph ? (graph.Mean ?? 0.449f, graph.Std ?? 0.226f)
            : backbone is not null ? (backbone.PretrainedMean, backbone.PretrainedStd)
            : PixelStatistics(data, split.Train);
        var model = EmotionModel.Create(spec, data.ClassNames, mean, std);
        var net = model.Network;
        // Weights and teachers first, so that a file that does not fit fails before the run folder exists.
        var pretrained = o.PretrainedWeights is null ? null : PretrainedWeights.Load(model, o.PretrainedWeights);
        using var teachers = o.Teachers is { Count: > 0 } tp ? TeacherEnsemble.Load(tp, data.ClassNames, spec.InputSize, mean, std, o.DistillationTemperature) : null;
        if (pretrained is not null && o.FreezeFeatures)
            foreach (var (name, p) in net.named_parameters())
                if (!name.StartsWith(WeightTransfer.Classifier, StringComparison.Ordinal)) p.requires_grad_(false);
        var run = o.RunDirectory is null ? null : new RunFolder(o.RunDirectory).Create();
        using var runLock = run?.Lock();
        var callbacks = Callbacks(run);
        var context = new TrainingContext(o, data, split, model, CreateOptimizer(net, o), new LearningRateSchedule(o), generator, run, callbacks);
        if (initial is not null)
        {
            var t = WeightTransfer.Apply(initial, model, o.FreezeFeatures);
            context.Say($"Initialised from {Path.GetFileName(o.InitialModel)}: {t.TensorsCopied} of {t.Tensors} weight tensors; classes kept: {string.Join(", ", t.ClassesKept)}" +
                (t.ClassesNew.Count > 0 ? $"; new: {string.Join(", ", t.ClassesNew)}" : "") + (o.FreezeFeatures ? "; features frozen" : "") + ".");
        }
        if (teachers is not null)
            context.Say($"Distilling from {string.Join(", ", o.Teachers!.Select(Path.GetFileName))}: loss = {1 - o.DistillationWeight:0.##} x labels + " +
                        $"{o.DistillationWeight:0.##} x T^2 KL(teacher || student) at T = {o.DistillationTemperature}.");
        if (pretrained is not null)
            context.Say($"Pretrained {pretrained.Architecture} weights from {Path.GetFileName(o.PretrainedWeights)}: {pretrained.TensorsLoaded} tensors; " +
                        $"its classifier ({pretrained.HeadTensorsSkipped} tensors) skipped, the head starts fresh; inputs normalised as for them (mean {mean}, std {std})" +
                        (o.FreezeFeatures ? "; features frozen" : "") + ".");
        bool channelsLast = MemoryLayout.CanTrainChannelsLast(net); // 1.3-1.6x faster where LibTorch allows it
        if (o.Resume) TrainingCheckpoint.Restore(context);
        if (run is not null)
        {
            split.WriteJson(run.Split, data);
            MienJson.Write(run.Settings, new { options = o, spec = spec.Name, dataset = data.Origin });
        }

        using var trainX = model.ToInput(Gather(data, split.Train), split.Train.Length);
        using var trainY = torch.tensor(split.Train.Select(i => (long)data.Labels[i]).ToArray());
        bool soft = data.HasSoftTargets && o.Labels == "soft";
        using var trainT = soft ? torch.tensor(split.Train.SelectMany(data.Target).ToArray()).reshape(split.Train.Length, data.ClassNames.Count) : null;
        using var weights = o.ClassWeights ? ClassWeights(data, split) : null;
        using var sampleWeights = SampleWeights(data, split, o);
        using var adjustment = o.LogitAdjustment > 0 ? LogitAdjustment(data, split, o.LogitAdjustment) : null;
        using var one = 1.0.ToScalar();
        var augmenter = new BatchAugmenter(o.Augmentation, std, generator);
        var optimizer = context.Optimizer;
        var schedule = context.Schedule;
        var groupRates = LearningRateFactors(o);

        int n = split.Train.Length, bs = o.BatchSize;
        int batches = n / bs + (n % bs >= 2 ? 1 : 0); // a trailing batch of 1 would break batch norm
        using var mixed = o.Precision == TrainingPrecision.BFloat16 ? new MixedPrecision(net) : null;
        if (mixed is not null)
            context.Say("Mixed precision: convolutions and dense layers in bf16, batch norm, loss and weights in fp32" +
                        (Runtime.CpuFeatures.HasNativeBFloat16 ? "." : "; this CPU has no native bf16, so it is emulated and slower than fp32."));
        foreach (var c in callbacks) c.OnTrainingStart(context);
        var total = Stopwatch.StartNew();
        long imagesSeen = 0;
        double trainSeconds = 0;
        bool cancelled = false;

        for (int epoch = context.Epoch; epoch < o.Epochs; epoch++)
        {
            context.Epoch = epoch + 1;
            net.train(); // before the callbacks, which may put parts back in eval mode (FrozenBatchNorm)
            foreach (var c in callbacks) c.OnEpochStart(context);
            var sw = Stopwatch.StartNew();
            double lossSum = 0; long correct = 0, seen = 0;
            mixed?.Enter(); // after the epoch's callbacks (which may freeze or unfreeze weights), undone before validation
            using (var perm = torch.randperm(n, generator: generator))
            try
            {
                for (int b = 0; b < batches; b++)
                {
                    if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                    double lr = schedule.At(epoch + (double)b / batches);
                    for (int g = 0; g < groupRates.Length; g++) optimizer.ParamGroups.ElementAt(g).LearningRate = lr * groupRates[g];
                    using var scope = torch.NewDisposeScope();
                    int count = Math.Min(bs, n - b * bs);
                    var idx = perm.narrow(0, b * bs, count);
                    var x = augmenter.Apply(trainX.index_select(0, idx));
                    var y = trainY.index_select(0, idx);
                    optimizer.zero_grad();
                    var input = channelsLast ? MemoryLayout.GreyAsChannelsLast(x) : x;
                    var logits = mixed is null ? net.forward(input) : net.forward(MixedPrecision.Input(input)).to(ScalarType.Float32);
                    var scores = adjustment is null ? logits : logits.add(adjustment, one); // what the loss sees
                    var w = sampleWeights?.index_select(0, idx);
                    Tensor loss;
                    if (w is null)
                        loss = soft
                            ? SoftCrossEntropy(scores, trainT!.index_select(0, idx), weights, o.LabelSmoothing)
                            : nn.functional.cross_entropy(scores, y, weights, label_smoothing: o.LabelSmoothing);
                    else
                    {
                        // Per-dataset weights: a weighted mean of the per-image losses.
                        var per = soft
                            ? SoftCrossEntropy(scores, trainT!.index_select(0, idx), weights, o.LabelSmoothing, reduce: false)
                            : nn.functional.cross_entropy(scores, y, weights, reduction: nn.Reduction.None, label_smoothing: o.LabelSmoothing);
                        loss = (per * w).sum() / w.sum().clamp_min(1e-12);
                    }
                    if (teachers is not null)
                    {
                        // The student's own logits (not the logit-adjusted ones): what it predicts is what must match.
                        var kd = TeacherEnsemble.Loss(logits, teachers.SoftTargets(x), teachers.Temperature, reduce: w is null);
                        if (w is not null) kd = (kd * w).sum() / w.sum().clamp_min(1e-12);
                        loss = loss * (1 - o.DistillationWeight) + kd * o.DistillationWeight;
                    }
                    loss.backward();
                    mixed?.GradientsToMasters();
                    optimizer.step();
                    mixed?.MastersToCopies();
                    lossSum += loss.item<float>() * count;
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                    seen += count;
                    if (b % 10 == 0 || b == batches - 1)
                    {
                        var p = new BatchProgress(epoch + 1, o.Epochs, b + 1, batches, lossSum / seen, (double)correct / seen, seen / sw.Elapsed.TotalSeconds);
                        foreach (var c in callbacks) c.OnBatchEnd(context, p);
                    }
                }
            }
            finally { mixed?.Exit(); } // the fp32 masters back in the layers, also on a cancellation or an error
            if (cancelled) break;
            double epochTrainSeconds = sw.Elapsed.TotalSeconds;
            trainSeconds += epochTrainSeconds;
            imagesSeen += seen;

            var val = Evaluator.Evaluate(model, data, split.Validation, o.ValidationFlipAverage, cancellationToken);
            schedule.Observe(val.Loss);
            context.LastValidation = val;
            context.Record(new EpochMetrics(epoch + 1, lossSum / seen, (double)correct / seen, val.Loss, val.Accuracy,
                schedule.At(epoch + 1 - 1e-9), sw.Elapsed.TotalSeconds, seen / epochTrainSeconds));
            foreach (var c in callbacks) c.OnEpochEnd(context);
            if (context.StopRequested) { context.Say(context.StopReason!); break; }
        }

        var lastEpoch = context.LastValidation;
        context.Cancelled = cancelled;
        foreach (var c in callbacks) c.OnTrainingEnd(context);
        net.eval();
        var finalVal = Evaluator.Evaluate(model, data, split.Validation, o.ValidationFlipAverage);
        return new TrainingResult(WithMetrics(model, context, finalVal), context.History, context.BestEpoch, finalVal, total.Elapsed,
            trainSeconds > 0 ? imagesSeen / trainSeconds : 0, cancelled) { LastEpoch = lastEpoch, PlannedEpochs = o.Epochs, AveragedEpochs = context.AveragedEpochs };
    }

    /// <summary>
    /// Cross-entropy against label distributions (FER+ votes), smoothed towards uniform like the hard-label loss:
    /// on one-hot targets it equals <c>cross_entropy(logits, labels, label_smoothing)</c>. Class weights scale each
    /// class's term, as PyTorch does for probability targets.
    /// </summary>
    /// <param name="reduce">False: one loss per image instead of their mean.</param>
    public static Tensor SoftCrossEntropy(Tensor logits, Tensor targets, Tensor? classWeights = null, double labelSmoothing = 0, bool reduce = true)
    {
        long k = logits.shape[1];
        var t = labelSmoothing > 0 ? targets * (1 - labelSmoothing) + labelSmoothing / k : targets;
        var terms = -(t * nn.functional.log_softmax(logits, 1));
        if (classWeights is not null) terms = terms * classWeights.unsqueeze(0);
        return reduce ? terms.sum(1).mean() : terms.sum(1);
    }

    private static Tensor? SampleWeights(FaceDataset data, DataSplit split, TrainingOptions o)
    {
        if (o.DatasetWeights is not { } w) return null;
        if (w.Count != data.DatasetNames.Count)
            throw new ArgumentException($"{w.Count} dataset weight(s) for {data.DatasetNames.Count} dataset(s) ({string.Join(", ", data.DatasetNames)}): give one per --data.");
        return torch.tensor(split.Train.Select(i => (float)w[data.DatasetIndex[i]]).ToArray());
    }

    /// <summary>tau * log(prior) as a 1 x K row, the prior being the training split's mean target (votes for soft labels).</summary>
    internal static Tensor LogitAdjustment(FaceDataset data, DataSplit split, double tau)
    {
        int k = data.ClassNames.Count;
        var prior = new double[k];
        foreach (int i in split.Train)
        {
            var t = data.Target(i);
            for (int c = 0; c < k; c++) prior[c] += t[c];
        }
        double total = prior.Sum();
        // A class no training image has gets a tiny prior: a large boost it cannot learn from anyway.
        return torch.tensor(prior.Select(p => (float)(tau * Math.Log(Math.Max(p / total, 1e-4)))).ToArray(), [1, k]);
    }

    private static Tensor ClassWeights(FaceDataset data, DataSplit split)
    {
        var counts = data.ClassCounts(split.Train);
        return torch.tensor(counts.Select(c => c == 0 ? 0f : (float)split.Train.Length / (counts.Length * c)).ToArray());
    }

    /// <summary>The model with its provenance: what it trained on, how, and how it scored on validation.</summary>
    internal static EmotionModel WithMetrics(EmotionModel model, TrainingContext c, ClassificationReport val)
    {
        var o = c.Options;
        return new(model.Network, model.Metadata with
        {
            TrainedOn = c.Data.Origin,
            CreatedUtc = DateTime.UtcNow,
            Training = new()
            {
                ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture), ["best_epoch"] = c.BestEpoch.ToString(CultureInfo.InvariantCulture),
                ["averaged_epochs"] = c.AveragedEpochs.ToString(CultureInfo.InvariantCulture),
                ["optimizer"] = o.Optimizer, ["learning_rate"] = o.LearningRate.ToString(CultureInfo.InvariantCulture),
                ["batch_size"] = o.BatchSize.ToString(CultureInfo.InvariantCulture), ["schedule"] = o.Schedule,
                ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture), ["augmentation"] = o.Augmentation.Enabled ? "on" : "off",
                ["labels"] = c.Data.HasSoftTargets ? o.Labels : "hard",
                ["logit_adjustment"] = o.LogitAdjustment.ToString(CultureInfo.InvariantCulture),
                ["validation_tta"] = o.ValidationFlipAverage ? "flip" : "off",
                ["teachers"] = o.Teachers is { Count: > 0 } t ? string.Join(", ", t.Select(Path.GetFileName)) + $" (weight {o.DistillationWeight.ToString(CultureInfo.InvariantCulture)}, T {o.DistillationTemperature.ToString(CultureInfo.InvariantCulture)})" : "",
                ["init_from"] = o.InitialModel is null ? "" : Path.GetFileName(o.InitialModel) + (o.FreezeFeatures ? " (features frozen)" : ""),
                ["weights"] = o.PretrainedWeights is null ? "" : Path.GetFileName(o.PretrainedWeights) + (o.FreezeFeatures ? " (features frozen)" : ""),
            },
            Metrics = new() { ["validation_accuracy"] = val.Accuracy, ["validation_macro_f1"] = val.MacroF1, ["validation_loss"] = val.Loss },
        });
    }

    /// <summary>
    /// Re-estimates every batch-norm layer's running statistics from the given images (unaugmented, in batches of 256,
    /// the network in training mode without gradients), as <c>swa_utils.update_bn</c> does after weights were averaged.
    /// With the layers' momentum of 0.1 the statistics are those of the last few thousand images; the pass leaves the
    /// network in evaluation mode.
    /// </summary>
    internal static void EstimateBatchNorm(EmotionModel model, FaceDataset data, IReadOnlyList<int> indices)
    {
        var net = model.Network;
        bool channelsLast = MemoryLayout.CanTrainChannelsLast(net);
        net.train();
        using (torch.no_grad())
        {
            // At least ~60 batches, so that the statistics of the weights before averaging (0.9^60 = 0.2 %) have decayed.
            int passes = Math.Max(1, (int)Math.Ceiling(60.0 * 256 / Math.Max(1, indices.Count)));
            for (int pass = 0; pass < passes; pass++)
                for (int start = 0; start < indices.Count; start += 256)
                {
                    int count = Math.Min(256, indices.Count - start);
                    if (count < 2) break; // batch norm cannot train on one image
                    using var scope = torch.NewDisposeScope();
                    var x = model.ToInput(Gather(data, indices.Skip(start).Take(count).ToList()), count);
                    net.forward(channelsLast ? MemoryLayout.GreyAsChannelsLast(x) : x);
                }
        }
        net.eval();
    }

    private static byte[] Gather(FaceDataset data, IReadOnlyList<int> indices)
    {
        int area = data.Width * data.Height;
        var bytes = new byte[indices.Count * area];
        for (int k = 0; k < indices.Count; k++) data.Image(indices[k]).CopyTo(bytes.AsSpan(k * area, area));
        return bytes;
    }

    internal static TorchSharp.Modules.OptimizerHelper CreateOptimizer(nn.Module<Tensor, Tensor> net, TrainingOptions o)
    {
        var groups = ParameterGroups(net, o);
        double lr = o.LearningRate;
        return o.Optimizer switch
        {
            // Groups get Options with only the rate set: the other fields stay null and the optimizer fills them from its
            // own arguments. (ParamGroup(params, lr) would set weight decay, momentum and Nesterov to 0 explicitly.)
            "sgd" => optim.SGD(groups.Select(g => new TorchSharp.Modules.SGD.ParamGroup(g, new TorchSharp.Modules.SGD.Options { LearningRate = lr })),
                lr, momentum: o.Momentum, nesterov: o.Nesterov && o.Momentum > 0, weight_decay: o.WeightDecay),
            "adam" => optim.Adam(groups.Select(g => new TorchSharp.Modules.Adam.ParamGroup(g, new TorchSharp.Modules.Adam.Options { LearningRate = lr })), lr, weight_decay: o.WeightDecay),
            "adamw" => optim.AdamW(groups.Select(g => new TorchSharp.Modules.AdamW.ParamGroup(g, new TorchSharp.Modules.AdamW.Options { LearningRate = lr })), lr, weight_decay: o.WeightDecay),
            "rmsprop" => optim.RMSProp(groups.Select(g => new TorchSharp.Modules.RMSProp.ParamGroup(g, new TorchSharp.Modules.RMSProp.Options { LearningRate = lr })),
                lr, momentum: o.Momentum, weight_decay: o.WeightDecay),
            _ => throw new ArgumentException($"unknown optimizer '{o.Optimizer}'."),
        };
    }

    /// <summary>
    /// One group of all parameters, or with discriminative rates three, in forward order: the body's first half, its
    /// second half, the classifier (see <see cref="LearningRateFactors"/>).
    /// </summary>
    private static List<List<TorchSharp.Modules.Parameter>> ParameterGroups(nn.Module<Tensor, Tensor> net, TrainingOptions o)
    {
        var all = net.named_parameters().ToList();
        if (o.BodyLearningRateFactor == 1) return [all.Select(p => p.parameter).ToList()];
        var body = all.Where(p => !p.name.StartsWith(WeightTransfer.Classifier, StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        var head = all.Where(p => p.name.StartsWith(WeightTransfer.Classifier, StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        int half = body.Count / 2;
        return [body.Take(half).ToList(), body.Skip(half).ToList(), head];
    }

    /// <summary>Each parameter group's share of the scheduled learning rate.</summary>
    internal static double[] LearningRateFactors(TrainingOptions o) =>
        o.BodyLearningRateFactor == 1 ? [1] : [o.BodyLearningRateFactor, Math.Sqrt(o.BodyLearningRateFactor), 1];

    internal static byte[] SaveWeights(nn.Module<Tensor, Tensor> net)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) net.save(w);
        return ms.ToArray();
    }

    internal static void LoadWeights(nn.Module<Tensor, Tensor> net, byte[] weights)
    {
        using var r = new BinaryReader(new MemoryStream(weights));
        net.load(r);
    }
}

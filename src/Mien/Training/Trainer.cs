using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mien.Data;
using Mien.Evaluation;
using Mien.Models;
using Mien.Splits;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Training;

/// <summary>
/// Trains a network on the training side of a split and keeps the epoch that scores best on the validation
/// side (Keras' <c>fit</c> with a model checkpoint). The whole training set lives in one normalised tensor;
/// each batch is gathered with <c>index_select</c> and augmented on the batch, so the cores spend their time
/// in LibTorch's convolutions rather than in a data pipeline.
/// </summary>
public sealed class Trainer(TrainingOptions options)
{
    private readonly List<ITrainingCallback> _callbacks = [];

    public TrainingOptions Options { get; } = options;

    public Trainer AddCallback(ITrainingCallback callback) { _callbacks.Add(callback); return this; }

    private void Say(string message) { foreach (var c in _callbacks) c.OnMessage(message); }

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
        // A pretrained network expects the inputs normalised as in its own training.
        var (mean, std) = initial is null ? PixelStatistics(data, split.Train) : (initial.Metadata.Mean, initial.Metadata.Std);
        var model = EmotionModel.Create(spec, data.ClassNames, mean, std);
        var net = model.Network;
        if (initial is not null)
        {
            var t = WeightTransfer.Apply(initial, model, o.FreezeFeatures);
            Say($"Initialised from {Path.GetFileName(o.InitialModel)}: {t.TensorsCopied} of {t.Tensors} weight tensors; classes kept: {string.Join(", ", t.ClassesKept)}" +
                (t.ClassesNew.Count > 0 ? $"; new: {string.Join(", ", t.ClassesNew)}" : "") + (o.FreezeFeatures ? "; features frozen" : "") + ".");
        }
        bool channelsLast = MemoryLayout.CanTrainChannelsLast(net); // 1.3-1.6x faster where LibTorch allows it
        string? runDir = o.RunDirectory;
        string? ckptDir = runDir is null ? null : Path.Combine(runDir, "checkpoints");
        if (runDir is not null)
        {
            Directory.CreateDirectory(ckptDir!);
            split.WriteJson(Path.Combine(runDir, "split.json"), data);
            Reporting.MienJson.Write(Path.Combine(runDir, "options.json"), new { options = o, spec = spec.Name, dataset = data.Origin });
        }

        using var trainX = model.ToInput(Gather(data, split.Train), split.Train.Length);
        using var trainY = torch.tensor(split.Train.Select(i => (long)data.Labels[i]).ToArray());
        bool soft = data.HasSoftTargets && o.Labels == "soft";
        using var trainT = soft ? torch.tensor(split.Train.SelectMany(data.Target).ToArray()).reshape(split.Train.Length, data.ClassNames.Count) : null;
        Tensor? weights = null;
        if (o.ClassWeights)
        {
            var counts = data.ClassCounts(split.Train);
            weights = torch.tensor(counts.Select(c => c == 0 ? 0f : (float)split.Train.Length / (counts.Length * c)).ToArray());
        }

        var optimizer = CreateOptimizer(net, o);
        var schedule = new LearningRateSchedule(o);
        var augmenter = new BatchAugmenter(o.Augmentation, std, generator);
        var history = new List<EpochMetrics>();
        int startEpoch = 0, bestEpoch = 0, stale = 0;
        double bestAccuracy = -1;
        string? bestPath = runDir is null ? null : Path.Combine(runDir, "best" + EmotionModel.FileExtension);
        byte[]? bestWeights = null;

        if (o.Resume && TrainingCheckpoint.TryLoad(ckptDir!) is { } ck)
        {
            using var loaded = EmotionModel.Load(Path.Combine(ckptDir!, ck.ModelFile));
            LoadWeights(net, SaveWeights(loaded.Network));
            optimizer.load_state_dict(Path.Combine(ckptDir!, ck.OptimizerFile));
            schedule.Restore((ck.PlateauFactor, ck.PlateauBest, ck.PlateauBad));
            history.AddRange(ck.History);
            (startEpoch, bestEpoch, bestAccuracy, stale) = (ck.Epoch, ck.BestEpoch, ck.BestAccuracy, ck.EpochsWithoutImprovement);
            if (File.Exists(bestPath)) { using var b = EmotionModel.Load(bestPath!); bestWeights = SaveWeights(b.Network); }
            if (ck.GeneratorState.Length > 0) generator.set_state(torch.tensor(Convert.FromBase64String(ck.GeneratorState)));
            Say($"Resumed from epoch {startEpoch} (best validation accuracy {bestAccuracy:P2} at epoch {bestEpoch}).");
        }

        int n = split.Train.Length, bs = o.BatchSize;
        int batches = n / bs + (n % bs >= 2 ? 1 : 0); // a trailing batch of 1 would break batch norm
        foreach (var c in _callbacks) c.OnTrainingStart(o.Epochs, n, split.Validation.Length);
        var total = Stopwatch.StartNew();
        long imagesSeen = 0;
        double trainSeconds = 0;
        bool cancelled = false;

        for (int epoch = startEpoch; epoch < o.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            net.train();
            double lossSum = 0; long correct = 0, seen = 0;
            using (var perm = torch.randperm(n, generator: generator))
            {
                for (int b = 0; b < batches; b++)
                {
                    if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                    double lr = schedule.At(epoch + (double)b / batches);
                    foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
                    using var scope = torch.NewDisposeScope();
                    int count = Math.Min(bs, n - b * bs);
                    var idx = perm.narrow(0, b * bs, count);
                    var x = augmenter.Apply(trainX.index_select(0, idx));
                    var y = trainY.index_select(0, idx);
                    optimizer.zero_grad();
                    var logits = net.forward(channelsLast ? MemoryLayout.GreyAsChannelsLast(x) : x);
                    var loss = soft
                        ? SoftCrossEntropy(logits, trainT!.index_select(0, idx), weights, o.LabelSmoothing)
                        : nn.functional.cross_entropy(logits, y, weights, label_smoothing: o.LabelSmoothing);
                    loss.backward();
                    optimizer.step();
                    lossSum += loss.item<float>() * count;
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                    seen += count;
                    if (b % 10 == 0 || b == batches - 1)
                    {
                        var p = new BatchProgress(epoch + 1, o.Epochs, b + 1, batches, lossSum / seen, (double)correct / seen, seen / sw.Elapsed.TotalSeconds);
                        foreach (var c in _callbacks) c.OnBatchEnd(p);
                    }
                }
            }
            if (cancelled) break;
            double epochTrainSeconds = sw.Elapsed.TotalSeconds;
            trainSeconds += epochTrainSeconds;
            imagesSeen += seen;

            var val = Evaluator.Evaluate(model, data, split.Validation, cancellationToken: cancellationToken);
            schedule.Observe(val.Loss);
            var m = new EpochMetrics(epoch + 1, lossSum / seen, (double)correct / seen, val.Loss, val.Accuracy,
                schedule.At(epoch + 1 - 1e-9), sw.Elapsed.TotalSeconds, seen / epochTrainSeconds);
            history.Add(m);
            bool isBest = val.Accuracy > bestAccuracy;
            if (isBest)
            {
                (bestAccuracy, bestEpoch, stale) = (val.Accuracy, epoch + 1, 0);
                bestWeights = SaveWeights(net);
                if (bestPath is not null) WithMetrics(model, data, o, bestEpoch, val).Save(bestPath);
            }
            else stale++;
            foreach (var c in _callbacks) c.OnEpochEnd(m, isBest);

            if (runDir is not null)
            {
                WriteHistory(runDir, history);
                string modelFile = $"epoch-{epoch + 1:D3}{EmotionModel.FileExtension}", optFile = $"epoch-{epoch + 1:D3}.optim";
                model.Save(Path.Combine(ckptDir!, modelFile));
                optimizer.save_state_dict(Path.Combine(ckptDir!, optFile));
                var st = schedule.State;
                new TrainingCheckpoint
                {
                    Epoch = epoch + 1, ModelFile = modelFile, OptimizerFile = optFile, BestAccuracy = bestAccuracy, BestEpoch = bestEpoch,
                    EpochsWithoutImprovement = stale, PlateauFactor = st.Factor, PlateauBest = st.Best, PlateauBad = st.Bad, History = history,
                    GeneratorState = Convert.ToBase64String(generator.get_state().data<byte>().ToArray()),
                }.Commit(ckptDir!);
                foreach (var old in Directory.EnumerateFiles(ckptDir!, "epoch-*"))
                    if (!old.Contains($"epoch-{epoch + 1:D3}.", StringComparison.Ordinal)) File.Delete(old);
            }
            if (o.EarlyStoppingPatience > 0 && stale >= o.EarlyStoppingPatience)
            {
                Say($"Early stopping: validation accuracy has not improved for {stale} epochs (best {bestAccuracy:P2} at epoch {bestEpoch}).");
                break;
            }
        }

        if (bestWeights is not null) LoadWeights(net, bestWeights);
        net.eval();
        var finalVal = Evaluator.Evaluate(model, data, split.Validation);
        var result = WithMetrics(model, data, o, bestEpoch, finalVal);
        return new TrainingResult(result, history, bestEpoch, finalVal, total.Elapsed,
            trainSeconds > 0 ? imagesSeen / trainSeconds : 0, cancelled);
    }

    /// <summary>
    /// Cross-entropy against label distributions (FER+ votes), smoothed towards uniform like the hard-label loss:
    /// on one-hot targets it equals <c>cross_entropy(logits, labels, label_smoothing)</c>. Class weights scale each
    /// class's term, as PyTorch does for probability targets.
    /// </summary>
    public static Tensor SoftCrossEntropy(Tensor logits, Tensor targets, Tensor? classWeights = null, double labelSmoothing = 0)
    {
        long k = logits.shape[1];
        var t = labelSmoothing > 0 ? targets * (1 - labelSmoothing) + labelSmoothing / k : targets;
        var terms = -(t * nn.functional.log_softmax(logits, 1));
        if (classWeights is not null) terms = terms * classWeights.unsqueeze(0);
        return terms.sum(1).mean();
    }

    private static EmotionModel WithMetrics(EmotionModel model, FaceDataset data, TrainingOptions o, int bestEpoch, ClassificationReport val) =>
        new(model.Network, model.Metadata with
        {
            TrainedOn = data.Origin,
            CreatedUtc = DateTime.UtcNow,
            Training = new()
            {
                ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture), ["best_epoch"] = bestEpoch.ToString(CultureInfo.InvariantCulture),
                ["optimizer"] = o.Optimizer, ["learning_rate"] = o.LearningRate.ToString(CultureInfo.InvariantCulture),
                ["batch_size"] = o.BatchSize.ToString(CultureInfo.InvariantCulture), ["schedule"] = o.Schedule,
                ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture), ["augmentation"] = o.Augmentation.Enabled ? "on" : "off",
                ["labels"] = data.HasSoftTargets ? o.Labels : "hard",
                ["init_from"] = o.InitialModel is null ? "" : Path.GetFileName(o.InitialModel) + (o.FreezeFeatures ? " (features frozen)" : ""),
            },
            Metrics = new() { ["validation_accuracy"] = val.Accuracy, ["validation_macro_f1"] = val.MacroF1, ["validation_loss"] = val.Loss },
        });

    private static byte[] Gather(FaceDataset data, IReadOnlyList<int> indices)
    {
        int area = data.Width * data.Height;
        var bytes = new byte[indices.Count * area];
        for (int k = 0; k < indices.Count; k++) data.Image(indices[k]).CopyTo(bytes.AsSpan(k * area, area));
        return bytes;
    }

    private static TorchSharp.Modules.OptimizerHelper CreateOptimizer(nn.Module<Tensor, Tensor> net, TrainingOptions o) => o.Optimizer switch
    {
        "sgd" => optim.SGD(net.parameters(), o.LearningRate, momentum: o.Momentum, nesterov: o.Nesterov && o.Momentum > 0, weight_decay: o.WeightDecay),
        "adam" => optim.Adam(net.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
        "adamw" => optim.AdamW(net.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
        "rmsprop" => optim.RMSProp(net.parameters(), o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay),
        _ => throw new ArgumentException($"unknown optimizer '{o.Optimizer}'."),
    };

    private static byte[] SaveWeights(nn.Module<Tensor, Tensor> net)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) net.save(w);
        return ms.ToArray();
    }

    private static void LoadWeights(nn.Module<Tensor, Tensor> net, byte[] weights)
    {
        using var r = new BinaryReader(new MemoryStream(weights));
        net.load(r);
    }

    private static void WriteHistory(string runDir, List<EpochMetrics> history)
    {
        var ci = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds,images_per_second\n");
        foreach (var h in history)
            csv.AppendLine(string.Join(',', h.Epoch.ToString(ci), h.TrainLoss.ToString("F5", ci), h.TrainAccuracy.ToString("F5", ci),
                h.ValidationLoss.ToString("F5", ci), h.ValidationAccuracy.ToString("F5", ci), h.LearningRate.ToString("G5", ci),
                h.Seconds.ToString("F2", ci), h.ImagesPerSecond.ToString("F1", ci)));
        File.WriteAllText(Path.Combine(runDir, "history.csv"), csv.ToString());
        Reporting.MienJson.Write(Path.Combine(runDir, "history.json"), history);
    }
}

using System.CommandLine;
using Mien.Training;

namespace Mien.Cli.Commands;

/// <summary>Hyper-parameter options shared by <c>train</c> and <c>cv</c>.</summary>
internal sealed class TrainingArguments
{
    private static readonly TrainingOptions D = new();
    public Option<string> Model { get; } = new("--model", "-m") { Description = "Preset name (see 'mien models') or a JSON layer-spec file.", DefaultValueFactory = _ => Mien.Models.ModelZoo.DefaultPreset };
    public Option<int> Epochs { get; } = new("--epochs", "-e") { Description = "Training epochs.", DefaultValueFactory = _ => D.Epochs };
    public Option<int> BatchSize { get; } = new("--batch-size", "-b") { Description = "Images per batch.", DefaultValueFactory = _ => D.BatchSize };
    public Option<string> Optimizer { get; } = new("--optimizer") { Description = "sgd, adam, adamw or rmsprop.", DefaultValueFactory = _ => D.Optimizer };
    public Option<double> LearningRate { get; } = new("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => D.LearningRate };
    public Option<double> WeightDecay { get; } = new("--weight-decay") { Description = "Weight decay.", DefaultValueFactory = _ => D.WeightDecay };
    public Option<double> Momentum { get; } = new("--momentum") { Description = "Momentum (sgd, rmsprop); sgd uses Nesterov momentum.", DefaultValueFactory = _ => D.Momentum };
    public Option<string> Schedule { get; } = new("--schedule") { Description = "Learning-rate schedule: none, step, cosine or plateau.", DefaultValueFactory = _ => D.Schedule };
    public Option<double> Warmup { get; } = new("--warmup") { Description = "Epochs of linear learning-rate warm-up.", DefaultValueFactory = _ => D.WarmupEpochs };
    public Option<int> StepEpochs { get; } = new("--step-epochs") { Description = "step schedule: epochs between decays.", DefaultValueFactory = _ => D.StepEpochs };
    public Option<int> EarlyStopping { get; } = new("--early-stopping") { Description = "Stop after N epochs without validation improvement (0 = off)." };
    public Option<string> Monitor { get; } = new("--monitor")
    {
        Description = "Which validation score picks the best epoch (best.mien) and drives --early-stopping: accuracy or balanced-accuracy (mean recall " +
                      "over classes; use it with --logit-adjust, whose balanced network loses accuracy on a neutral-heavy validation split).",
        DefaultValueFactory = _ => D.Monitor,
    };
    public Option<bool> ClassWeights { get; } = new("--class-weights") { Description = "Weight the loss by inverse class frequency." };
    public Option<double> LogitAdjust { get; } = new("--logit-adjust")
    {
        Description = "Logit-adjusted loss (Menon et al. 2021): the loss sees logits + tau*log(training class prior), so the network learns the faces without " +
                      "the training data's class mix (FER's many neutral, few disgust faces). 0 = off, 1 = the paper's setting. Then `mien calibrate --balance` " +
                      "picks how much of the prior to put back.",
    };
    public Option<bool> Tta { get; } = new("--tta") { Description = "Validate with test-time augmentation (the mean with the mirrored face, as `evaluate --tta`): the best epoch and cv's fold scores judge the model as it is used with --tta. Validation takes twice as long." };
    public Option<double> LabelSmoothing { get; } = new("--label-smoothing") { Description = "Label smoothing.", DefaultValueFactory = _ => D.LabelSmoothing };
    public Option<string> Labels { get; } = new("--labels") { Description = "Datasets with annotator votes (FER+): soft (train on the vote distribution) or majority (the top vote only).", DefaultValueFactory = _ => D.Labels };
    public Option<double[]> DatasetWeights { get; } = new("--dataset-weight") { Description = "With several --data: how much each dataset's images count in the loss, one value per --data in the same order (default 1 each), e.g. --dataset-weight 1 1 3.", AllowMultipleArgumentsPerToken = true };
    public Option<bool> NoAugment { get; } = new("--no-augment") { Description = "Turn off augmentation (shift, zoom, rotation, flip, brightness/contrast)." };
    public Option<double> Rotation { get; } = new("--rotation") { Description = "Augmentation: maximum rotation in degrees.", DefaultValueFactory = _ => D.Augmentation.MaxRotationDegrees };
    public Option<double> Shift { get; } = new("--shift") { Description = "Augmentation: maximum shift as a fraction of the side.", DefaultValueFactory = _ => D.Augmentation.MaxShift };
    public Option<double> Zoom { get; } = new("--zoom") { Description = "Augmentation: maximum zoom in or out as a fraction (0.2 = 80%..120%); larger values make the model less sensitive to how tightly faces are cropped.", DefaultValueFactory = _ => D.Augmentation.MaxScale };
    public Option<string> GroupBy { get; } = new("--group-by") { Description = "subject (default: no person on both sides, when subjects are known) or none (random frames; leaks on CK+).", DefaultValueFactory = _ => "subject" };
    public Option<bool> KeepDuplicates { get; } = new("--keep-duplicates") { Description = "Keep validation/test images identical to training images (left out by default: they inflate scores; FER2013's PublicTest has 280)." };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for splits, initialisation, shuffling and augmentation.", DefaultValueFactory = _ => D.Seed };
    public Option<int> Threads { get; } = new("--threads") { Description = "LibTorch threads (0 = one per core)." };
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Only the final results (for scripts)." };
    public Option<string[]> Teacher { get; } = new("--teacher")
    {
        Description = "Knowledge distillation: learn the softened predictions of this trained .mien model beside the labels (repeat to average several teachers), " +
                      "e.g. a small --model vgg-tiny from models/mien-default.mien.",
    };
    public Option<double> DistillWeight { get; } = new("--distill-weight") { Description = "With --teacher: the distillation term's share of the loss (the labels get the rest).", DefaultValueFactory = _ => D.DistillationWeight };
    public Option<double> DistillTemperature { get; } = new("--distill-temperature") { Description = "With --teacher: the temperature that softens teacher and student predictions.", DefaultValueFactory = _ => D.DistillationTemperature };
    public Option<string?> InitFrom { get; } = new("--init-from") { Description = "Transfer learning: start from this trained .mien model (its architecture and normalisation; classes it knows keep their weights), e.g. models/mien-default.mien." };
    public Option<bool> FreezeFeatures { get; } = new("--freeze-features") { Description = "With --init-from or --weights: train only the final classifier." };
    public Option<int> FreezeEpochs { get; } = new("--freeze-epochs") { Description = "Fine-tuning (with --weights or --init-from): train only the new classifier for the first N epochs, then the whole network." };
    public Option<double> BodyLrFactor { get; } = new("--body-lr-factor") { Description = "Discriminative learning rates: the body's first half learns at lr x F, its second half at lr x sqrt(F), the classifier at lr (e.g. 0.1). 1 = one rate.", DefaultValueFactory = _ => D.BodyLearningRateFactor };
    public Option<bool> FreezeBatchNorm { get; } = new("--freeze-bn") { Description = "Fine-tuning: keep batch-norm statistics at the pretrained values (scale and shift still learn)." };
    public Option<int> Swa { get; } = new("--swa") { Description = "Stochastic weight averaging: average the weights of the last N epochs (batch-norm statistics re-estimated) and keep the average when it validates better than the best epoch; saved as swa.mien in the run folder. Best with a constant rate over those epochs, e.g. --init-from M --schedule none --lr 3e-4 --epochs 8 --swa 8. 0 = off." };
    public Option<string> Precision { get; } = new("--precision")
    {
        Description = "Number format of training: fp32, or bf16 (mixed: convolutions and dense layers in bfloat16, batch norm, loss and the optimizer's weights in float32; " +
                      "about 1.3-1.65x faster for VGG-style networks on CPUs with native bfloat16, no gain for depthwise ones such as mini-xception; the saved model is float32).",
        DefaultValueFactory = _ => "fp32",
    };
    public Option<string?> Weights { get; } = new("--weights") { Description = "Pretrained weights for a backbone model: for the TorchVision ones (--model resnet18, ...) a PyTorch state dict (.pth/.pt, torch.save(model.state_dict())) or .safetensors, e.g. torchvision's ImageNet file; for --model resnet18-cntk 'imagenet' (ML.NET's ImageNet ResNet-18, from the NuGet cache); for --model file.onnx that file. The classifier is skipped (the head is new); every other tensor must match." };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Model, Epochs, BatchSize, Optimizer, LearningRate, WeightDecay, Momentum, Schedule, Warmup, StepEpochs,
                     EarlyStopping, Monitor, ClassWeights, LogitAdjust, Tta, LabelSmoothing, Labels, DatasetWeights, NoAugment, Rotation, Shift, Zoom, GroupBy, KeepDuplicates, Seed, Threads, Quiet, InitFrom, Teacher, DistillWeight, DistillTemperature, FreezeFeatures, FreezeEpochs, BodyLrFactor, FreezeBatchNorm, Weights, Swa, Precision })
            c.Options.Add(o);
    }

    /// <summary>
    /// The architecture to train: the --init-from model's own, else the --model preset or spec file. A backbone spec
    /// takes <paramref name="imageSize"/> (an explicit --image-size) as its input size; the presets keep theirs.
    /// </summary>
    public Mien.Models.ModelSpec Spec(ParseResult r, int? imageSize = null)
    {
        if (r.GetValue(InitFrom) is not { } path)
        {
            var spec = Mien.Models.ModelZoo.GetSpec(r.GetValue(Model)!);
            return imageSize is { } size && Mien.Models.ModelZoo.IsBackbone(spec) ? spec with { InputSize = size } : spec;
        }
        using var initial = Mien.Models.EmotionModel.Load(path, Mien.Models.InferencePrecision.Float32);
        return initial.Metadata.Spec;
    }

    public bool GroupBySubject(ParseResult r) => r.GetValue(GroupBy)?.ToLowerInvariant() switch
    {
        "subject" or "subjects" => true,
        "none" or "random" => false,
        var g => throw new ArgumentException($"--group-by '{g}': use 'subject' or 'none'."),
    };

    private static TrainingPrecision ParsePrecision(string? value) => value?.ToLowerInvariant() switch
    {
        "fp32" or "float32" => TrainingPrecision.Float32,
        "bf16" or "bfloat16" => TrainingPrecision.BFloat16,
        var p => throw new ArgumentException($"--precision '{p}': use fp32 or bf16."),
    };

    public TrainingOptions Options(ParseResult r, string? runDirectory, bool resume = false)
    {
        var o = new TrainingOptions
        {
            Epochs = r.GetValue(Epochs), BatchSize = r.GetValue(BatchSize), Optimizer = r.GetValue(Optimizer)!.ToLowerInvariant(),
            LearningRate = r.GetValue(LearningRate), WeightDecay = r.GetValue(WeightDecay), Momentum = r.GetValue(Momentum),
            Schedule = r.GetValue(Schedule)!.ToLowerInvariant(), WarmupEpochs = r.GetValue(Warmup), StepEpochs = r.GetValue(StepEpochs),
            EarlyStoppingPatience = r.GetValue(EarlyStopping), Monitor = r.GetValue(Monitor)!.ToLowerInvariant(), ClassWeights = r.GetValue(ClassWeights), LogitAdjustment = r.GetValue(LogitAdjust), ValidationFlipAverage = r.GetValue(Tta), LabelSmoothing = r.GetValue(LabelSmoothing), Labels = r.GetValue(Labels)!.ToLowerInvariant(),
            DatasetWeights = r.GetValue(DatasetWeights) is { Length: > 0 } dw ? dw : null,
            Augmentation = r.GetValue(NoAugment) ? AugmentationOptions.None
                : new AugmentationOptions { MaxRotationDegrees = r.GetValue(Rotation), MaxShift = r.GetValue(Shift), MaxScale = r.GetValue(Zoom) },
            Seed = r.GetValue(Seed), Threads = r.GetValue(Threads), RunDirectory = runDirectory, Resume = resume,
            InitialModel = r.GetValue(InitFrom), FreezeFeatures = r.GetValue(FreezeFeatures), PretrainedWeights = r.GetValue(Weights),
            Teachers = r.GetValue(Teacher) is { Length: > 0 } teachers ? teachers : null,
            DistillationWeight = r.GetValue(DistillWeight), DistillationTemperature = r.GetValue(DistillTemperature),
            FreezeEpochs = r.GetValue(FreezeEpochs), BodyLearningRateFactor = r.GetValue(BodyLrFactor), FreezeBatchNorm = r.GetValue(FreezeBatchNorm),
            AveragedEpochs = r.GetValue(Swa), Precision = ParsePrecision(r.GetValue(Precision)),
        };
        o.Validate();
        return o;
    }
}

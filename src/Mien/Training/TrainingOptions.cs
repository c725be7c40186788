namespace Mien.Training;

/// <summary>Hyper-parameters and run settings for <see cref="Trainer"/>. Defaults are a sound start for 48x48 faces.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 30;
    public int BatchSize { get; init; } = 64;

    /// <summary>sgd, adam, adamw or rmsprop.</summary>
    public string Optimizer { get; init; } = "adamw";
    public double LearningRate { get; init; } = 2e-3;
    public double MinLearningRate { get; init; } = 1e-5;
    public double WeightDecay { get; init; } = 5e-4;
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; } = true;

    /// <summary>none, step, cosine or plateau.</summary>
    public string Schedule { get; init; } = "cosine";
    public double WarmupEpochs { get; init; } = 1;
    public int StepEpochs { get; init; } = 10;
    public double StepGamma { get; init; } = 0.1;
    public int PlateauPatience { get; init; } = 3;

    /// <summary>Stop when validation accuracy has not improved for this many epochs (0 = never).</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>Weight the loss by inverse class frequency (helps rare classes such as FER2013's disgust).</summary>
    public bool ClassWeights { get; init; }
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>
    /// For datasets with label distributions (FER+ votes): <c>soft</c> trains on the distribution (cross-entropy
    /// against it), <c>majority</c> on the top vote only. Datasets with one label per image ignore it.
    /// </summary>
    public string Labels { get; init; } = "soft";

    public static IReadOnlyList<string> LabelModes { get; } = ["soft", "majority"];
    public AugmentationOptions Augmentation { get; init; } = new();

    public int Seed { get; init; } = 42;

    /// <summary>LibTorch intra-op threads (0 = LibTorch's default, one per core).</summary>
    public int Threads { get; init; }

    /// <summary>Folder for history, checkpoints and the best model (null = keep nothing on disk).</summary>
    public string? RunDirectory { get; init; }

    /// <summary>Continue from the run directory's last checkpoint.</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Transfer learning: start from this trained <c>.mien</c> model instead of random weights. Its layer spec and
    /// input normalisation are kept; classes it knows keep their output weights, new classes start fresh.
    /// </summary>
    public string? InitialModel { get; init; }

    /// <summary>
    /// Pretrained weights for a backbone spec (<see cref="Models.Backbones"/>): a PyTorch state dict (<c>.pth</c>/<c>.pt</c>)
    /// or <c>.safetensors</c> file, e.g. torchvision's ImageNet weights, loaded by <see cref="Models.PretrainedWeights"/>
    /// (its classifier skipped: the head is new). Inputs are then normalised as for those weights, not by the data's statistics.
    /// </summary>
    public string? PretrainedWeights { get; init; }

    /// <summary>With <see cref="InitialModel"/> or <see cref="PretrainedWeights"/>: train only the final classifier, the features stay as they were.</summary>
    public bool FreezeFeatures { get; init; }

    public static IReadOnlyList<string> Optimizers { get; } = ["sgd", "adam", "adamw", "rmsprop"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be ≥ 1 (got {Epochs}).");
        if (BatchSize < 2) throw new ArgumentException($"batch size must be ≥ 2 (got {BatchSize}).");
        if (LearningRate <= 0) throw new ArgumentException($"learning rate must be > 0 (got {LearningRate}).");
        if (!Optimizers.Contains(Optimizer)) throw new ArgumentException($"unknown optimizer '{Optimizer}'. Known: {string.Join(", ", Optimizers)}.");
        if (!LearningRateSchedule.Names.Contains(Schedule)) throw new ArgumentException($"unknown schedule '{Schedule}'. Known: {string.Join(", ", LearningRateSchedule.Names)}.");
        if (LabelSmoothing is < 0 or >= 1) throw new ArgumentException($"label smoothing must be in [0, 1) (got {LabelSmoothing}).");
        if (!LabelModes.Contains(Labels)) throw new ArgumentException($"labels must be soft or majority (got '{Labels}').");
        if (Resume && RunDirectory is null) throw new ArgumentException("resume needs a run directory.");
        if (FreezeFeatures && InitialModel is null && PretrainedWeights is null) throw new ArgumentException("freezing the features needs an initial model or pretrained weights to take them from.");
        if (InitialModel is not null && PretrainedWeights is not null) throw new ArgumentException("start from an initial model or from pretrained weights, not both.");
    }
}

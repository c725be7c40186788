namespace Mien.Training;

/// <summary>Hyper-parameters and run settings for <see cref="Trainer"/>. Defaults are a sound start for 48x48 faces.</summary>
public sealed record TrainingOptions
{
    /// <summary>Epochs to train.</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Images per batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>sgd, adam, adamw or rmsprop.</summary>
    public string Optimizer { get; init; } = "adamw";
    /// <summary>Peak learning rate (after warm-up).</summary>
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Floor of the cosine and plateau schedules.</summary>
    public double MinLearningRate { get; init; } = 1e-5;
    /// <summary>Weight decay (decoupled for AdamW).</summary>
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Momentum of SGD and RMSprop.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Nesterov momentum for SGD.</summary>
    public bool Nesterov { get; init; } = true;

    /// <summary>none, step, cosine or plateau.</summary>
    public string Schedule { get; init; } = "cosine";
    /// <summary>Epochs of linear learning-rate warm-up.</summary>
    public double WarmupEpochs { get; init; } = 1;
    /// <summary>step schedule: epochs between decays.</summary>
    public int StepEpochs { get; init; } = 10;
    /// <summary>step and plateau schedules: the factor of each decay.</summary>
    public double StepGamma { get; init; } = 0.1;
    /// <summary>plateau schedule: epochs without a lower validation loss before a decay.</summary>
    public int PlateauPatience { get; init; } = 3;

    /// <summary>Stop when the <see cref="Monitor"/>ed validation score has not improved for this many epochs (0 = never).</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>
    /// Which validation score picks the best epoch (kept as best.mien) and drives early stopping, as Keras'
    /// <c>monitor</c>: <c>accuracy</c>, or <c>balanced-accuracy</c> (mean recall over classes), for runs that should not
    /// favour the training data's frequent classes (with <see cref="LogitAdjustment"/>, accuracy on FER's neutral-heavy
    /// validation split falls as the network becomes balanced, so accuracy would pick the first epoch).
    /// </summary>
    public string Monitor { get; init; } = "accuracy";

    /// <summary>The <see cref="Monitor"/> values.</summary>
    public static IReadOnlyList<string> Monitors { get; } = ["accuracy", "balanced-accuracy"];

    /// <summary>The <see cref="Monitor"/>ed score of a validation report.</summary>
    public double MonitoredScore(Evaluation.ClassificationReport validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return Monitor == "balanced-accuracy" ? validation.BalancedAccuracy : validation.Accuracy;
    }

    /// <summary>
    /// Put the best epoch's weights back when training ends (Keras' <c>restore_best_weights</c>), so the result is the
    /// best epoch's model. False: the result keeps the last epoch's weights, as cross-validation needs (a fold's best
    /// epoch is chosen on its own test side); best.mien is still written.
    /// </summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Weight the loss by inverse class frequency (helps rare classes such as FER2013's disgust).</summary>
    public bool ClassWeights { get; init; }
    /// <summary>Share of each target spread evenly over the classes.</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>
    /// Logit-adjusted loss (Menon et al., 2021): the loss sees logits + tau * log(class prior of the training split), so
    /// the network's own scores learn the faces without the training data's class mix (FER: a third neutral, under 1 %
    /// disgust). 0 = plain cross-entropy; 1 = the paper's setting. Predictions use the unadjusted logits.
    /// </summary>
    public double LogitAdjustment { get; init; }

    /// <summary>
    /// Score every validation with test-time augmentation: a face's prediction is the mean with its mirror image, as
    /// <c>mien evaluate --tta</c> and <c>predict --tta</c> classify. The best epoch, early stopping and cross-validation
    /// folds then judge the model as it will be used that way. Validation takes twice as long.
    /// </summary>
    public bool ValidationFlipAverage { get; init; }

    /// <summary>
    /// Knowledge distillation: trained <c>.mien</c> models (one, or several averaged) whose predictions, softened by
    /// <see cref="DistillationTemperature"/>, the network learns beside the labels (Hinton et al., 2015). For training a
    /// small, fast network (e.g. <c>vgg-tiny</c>) from a bigger one. Null or empty: no distillation.
    /// </summary>
    public IReadOnlyList<string>? Teachers { get; init; }

    /// <summary>With <see cref="Teachers"/>: the distillation term's share of the loss (the labels' is 1 minus it).</summary>
    public double DistillationWeight { get; init; } = 0.9;

    /// <summary>With <see cref="Teachers"/>: the temperature that softens both sides' predictions (higher: more of the teachers' "dark knowledge" of which wrong classes are close).</summary>
    public double DistillationTemperature { get; init; } = 4;

    /// <summary>
    /// For datasets with label distributions (FER+ votes): <c>soft</c> trains on the distribution (cross-entropy
    /// against it), <c>majority</c> on the top vote only. Datasets with one label per image ignore it.
    /// </summary>
    public string Labels { get; init; } = "soft";

    /// <summary>The <see cref="Labels"/> values.</summary>
    public static IReadOnlyList<string> LabelModes { get; } = ["soft", "majority"];

    /// <summary>
    /// For merged datasets (<see cref="Data.FaceDataset.Concat"/>): how much each one's images count in the loss,
    /// parallel to <see cref="Data.FaceDataset.DatasetNames"/> (null = all 1). E.g. [1, 3] makes CK+'s 900 posed
    /// faces weigh more beside FER2013's 28,000.
    /// </summary>
    public IReadOnlyList<double>? DatasetWeights { get; init; }
    /// <summary>Random changes to training batches.</summary>
    public AugmentationOptions Augmentation { get; init; } = new();

    /// <summary>Seed of initialisation, shuffling and augmentation.</summary>
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

    /// <summary>
    /// Fine-tuning: train only the classifier for this many first epochs (the pretrained or initial body frozen),
    /// then everything (<see cref="FreezeBody"/>). 0: train everything from the start.
    /// </summary>
    public int FreezeEpochs { get; init; }

    /// <summary>
    /// Discriminative learning rates (fastai's <c>slice(lr * f, lr)</c>): the first half of the body's parameters learns
    /// at <c>lr * f</c>, the second half at <c>lr * sqrt(f)</c>, the classifier at <c>lr</c>, so early, generic layers move
    /// least. 1: one rate for all.
    /// </summary>
    public double BodyLearningRateFactor { get; init; } = 1;

    /// <summary>Keep batch-norm statistics at their initial (pretrained) values while fine-tuning (<see cref="FrozenBatchNorm"/>).</summary>
    public bool FreezeBatchNorm { get; init; }

    /// <summary>
    /// Stochastic weight averaging: average the weights of the last N epochs (batch-norm statistics re-estimated) and
    /// keep the average when it validates better than the best epoch (<see cref="WeightAveraging"/>). 0 = off, else 2..<see cref="Epochs"/>.
    /// Works best with a constant learning rate over those epochs (<c>Schedule = "none"</c>), e.g. as a fine-tune.
    /// </summary>
    public int AveragedEpochs { get; init; }

    /// <summary>
    /// The number format of training: float32, or mixed bfloat16 (<see cref="TrainingPrecision.BFloat16"/>: about 1.3-1.65x
    /// faster for plain convolutional networks on CPUs with native bfloat16; the saved model is float32 either way).
    /// </summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Float32;

    /// <summary>The optimizer names.</summary>
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
        if (!(LogitAdjustment is >= 0 and <= 3)) throw new ArgumentException($"logit adjustment must be in 0..3 (got {LogitAdjustment}).");
        if (DatasetWeights is { } dw && dw.Any(w => !(w >= 0) || double.IsInfinity(w))) throw new ArgumentException($"dataset weights must be finite and ≥ 0 (got {string.Join(", ", dw)}).");
        if (!(DistillationWeight is >= 0 and <= 1)) throw new ArgumentException($"distillation weight must be in 0..1 (got {DistillationWeight}).");
        if (!(DistillationTemperature is > 0 and <= 100)) throw new ArgumentException($"distillation temperature must be in (0, 100] (got {DistillationTemperature}).");
        if (!Monitors.Contains(Monitor)) throw new ArgumentException($"monitor must be one of {string.Join(", ", Monitors)} (got '{Monitor}').");
        if (!LabelModes.Contains(Labels)) throw new ArgumentException($"labels must be soft or majority (got '{Labels}').");
        if (Resume && RunDirectory is null) throw new ArgumentException("resume needs a run directory.");
        if (FreezeFeatures && InitialModel is null && PretrainedWeights is null) throw new ArgumentException("freezing the features needs an initial model or pretrained weights to take them from.");
        if (FreezeEpochs < 0 || FreezeEpochs >= Epochs) throw new ArgumentException($"freeze epochs must be 0..{Epochs - 1} (fewer than the {Epochs} epochs), got {FreezeEpochs}.");
        if (!(BodyLearningRateFactor > 0 && BodyLearningRateFactor <= 1)) throw new ArgumentException($"the body's learning-rate factor must be in (0, 1], got {BodyLearningRateFactor}.");
        if (AveragedEpochs != 0 && (AveragedEpochs < 2 || AveragedEpochs > Epochs)) throw new ArgumentException($"weight averaging needs 2..{Epochs} epochs (the run's), got {AveragedEpochs}.");
        if (InitialModel is not null && PretrainedWeights is not null) throw new ArgumentException("start from an initial model or from pretrained weights, not both.");
    }
}

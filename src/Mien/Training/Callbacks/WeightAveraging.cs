using Mien.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Training;

/// <summary>
/// Stochastic weight averaging (Izmailov et al., 2018; PyTorch's <c>torch.optim.swa_utils</c>): the mean of the
/// network's weights at the end of each of the last <see cref="Epochs"/> epochs. The mean of weights sits nearer the
/// middle of a flat region of the loss than any one epoch does, which generalises better, at the cost of one pass
/// over the training images. Batch-norm statistics are re-estimated on the training images (unaugmented) because the
/// statistics of averaged weights are not the average of the statistics. The average is validated like an epoch and
/// saved as the run's <c>swa.mien</c>; it replaces the best epoch's weights (and best.mien) only when its monitored
/// validation score is higher. Registered by the trainer from <see cref="TrainingOptions.AveragedEpochs"/>.
/// A resumed run averages from the epoch it resumed at (the running sum is not checkpointed); a cancelled run averages nothing.
/// </summary>
public sealed class WeightAveraging : ITrainingCallback
{
    private readonly Dictionary<string, Tensor> _sum = [];
    private int _count;

    /// <param name="epochs">How many of the last epochs to average (at least 2).</param>
    public WeightAveraging(int epochs)
    {
        if (epochs < 2) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "averaging needs at least 2 epochs.");
        Epochs = epochs;
    }

    /// <summary>How many of the last epochs are averaged.</summary>
    public int Epochs { get; }

    /// <summary>Epochs averaged so far.</summary>
    public int Averaged => _count;

    /// <summary>The averaged model's validation scores, once training has ended (null before, or when nothing was averaged).</summary>
    public ClassificationReport? Validation { get; private set; }

    /// <inheritdoc />
    public void OnTrainingStart(TrainingContext context)
    {
        if (Epochs > context.Epochs) throw new ArgumentException($"weight averaging over {Epochs} epochs needs at least that many epochs (the run has {context.Epochs}).");
        context.Say($"Weight averaging (SWA) over the last {Epochs} epochs ({context.Epochs - Epochs + 1}..{context.Epochs}).");
    }

    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context)
    {
        if (context.Epoch <= context.Epochs - Epochs) return;
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in context.Network.named_parameters())
        {
            if (_sum.TryGetValue(name, out var s)) s.add_(p);
            else _sum[name] = p.detach().clone().DetachFromDisposeScope();
        }
        _count++;
    }

    /// <inheritdoc />
    public void OnTrainingEnd(TrainingContext context)
    {
        if (_count < 2 || context.Cancelled)
        {
            // Stopped before two epochs were averaged: nothing to offer. Cancelled: the user wants out now, not after a
            // batch-norm pass over the training images; the best epoch is the result.
            if (_count >= 2) context.Say($"Cancelled: the {_count} epochs averaged so far are not used.");
            Release();
            return;
        }
        var net = context.Network;
        var best = Trainer.SaveWeights(net); // what KeepBestWeights left: the best epoch's weights (or the last's, without RestoreBestWeights)
        using (torch.no_grad())
        {
            foreach (var (name, p) in net.named_parameters()) p.copy_(_sum[name] / _count);
        }
        Release();
        Trainer.EstimateBatchNorm(context.Model, context.Data, context.Split.Train); // leaves the network in evaluation mode
        var val = Evaluator.Evaluate(context.Model, context.Data, context.Split.Validation, context.Options.ValidationFlipAverage);
        Validation = val;
        double score = context.Options.MonitoredScore(val);
        int bestEpoch = context.BestEpoch;
        double bestScore = context.BestScore;
        context.AveragedEpochs = _count; // recorded in the saved model's training metadata
        string? saved = context.Run is { } run ? Path.Combine(run.Root, "swa.mien") : null;
        if (saved is not null) Trainer.WithMetrics(context.Model, context, val).Save(saved);
        bool better = score > bestScore;
        context.Say($"Averaged weights of {_count} epochs: validation {context.Options.Monitor} {score:P2} against the best epoch's ({bestEpoch}) " +
                    $"{bestScore:P2}; {(better ? "kept as the result" : "the best epoch stays the result")}" + (context.Run is null ? "." : " (swa.mien saved)."));
        if (better)
        {
            context.BestScore = score;
            if (saved is not null) File.Copy(saved, context.Run!.BestModel, overwrite: true); // the same model and metadata
        }
        else
        {
            context.AveragedEpochs = 0;
            Trainer.LoadWeights(net, best);
        }
    }

    private void Release()
    {
        foreach (var t in _sum.Values) t.Dispose();
        _sum.Clear();
    }
}

using Mien.IO;
using Mien.Models;
using TorchSharp;

namespace Mien.Training;

/// <summary>
/// The resumable state of a run. The epoch's model and optimizer files are written first, checkpoint.json (which
/// names them) last and atomically, so a kill at any moment leaves the previous or the new checkpoint, never a mix.
/// </summary>
internal sealed record TrainingCheckpoint
{
    public int Epoch { get; init; }
    public string ModelFile { get; init; } = "";
    public string OptimizerFile { get; init; } = "";
    /// <summary>The best epoch's monitored score (the JSON name is from when only accuracy was monitored).</summary>
    public double BestAccuracy { get; init; }
    public int BestEpoch { get; init; }
    /// <summary>Which score <see cref="BestAccuracy"/> is (TrainingOptions.Monitor); empty in older checkpoints = accuracy.</summary>
    public string Monitor { get; init; } = "";

    /// <summary>
    /// The best epoch's model in the checkpoints folder (kept until a better one). Not best.mien: that file is written
    /// before checkpoint.json, so after a kill between the two it holds an epoch the resumed run has not reached.
    /// Empty in checkpoints from before this field; best.mien is read then.
    /// </summary>
    public string BestModelFile { get; init; } = "";
    public double PlateauFactor { get; init; } = 1;
    public double PlateauBest { get; init; } = double.MaxValue;
    public int PlateauBad { get; init; }
    public List<EpochMetrics> History { get; init; } = [];
    public string GeneratorState { get; init; } = "";

    /// <summary>LibTorch's global generator (dropout draws from it).</summary>
    public string TorchRngState { get; init; } = "";

    /// <summary>What the run trains on, so <c>--resume</c> with other data is refused instead of silently mixed.</summary>
    public string DataFingerprint { get; init; } = "";

    public static void Save(TrainingContext c)
    {
        var run = c.Run!;
        string modelFile = $"epoch-{c.Epoch:D3}{EmotionModel.FileExtension}", optFile = $"epoch-{c.Epoch:D3}.optim";
        c.Model.Save(Path.Combine(run.Checkpoints, modelFile));
        string optPath = Path.Combine(run.Checkpoints, optFile), optTmp = AtomicFile.TemporaryFor(optPath);
        c.Optimizer.save_state_dict(optTmp);
        using (var f = new FileStream(optTmp, FileMode.Open, FileAccess.ReadWrite)) f.Flush(flushToDisk: true); // on disk before checkpoint.json names it
        File.Move(optTmp, optPath, overwrite: true);
        // The best epoch's model is this epoch's when it improved, else the one an earlier checkpoint kept (absent after
        // a resume from a checkpoint that predates BestModelFile: best.mien is read then).
        string bestFile = c.BestEpoch > 0 ? $"epoch-{c.BestEpoch:D3}{EmotionModel.FileExtension}" : "";
        if (bestFile.Length > 0 && !File.Exists(Path.Combine(run.Checkpoints, bestFile))) bestFile = "";
        var st = c.Schedule.State;
        MienJson.Write(run.Checkpoint, new TrainingCheckpoint
        {
            Epoch = c.Epoch, ModelFile = modelFile, OptimizerFile = optFile, BestAccuracy = c.BestScore, BestEpoch = c.BestEpoch, Monitor = c.Options.Monitor, BestModelFile = bestFile,
            PlateauFactor = st.Factor, PlateauBest = st.Best, PlateauBad = st.Bad, History = [.. c.History],
            GeneratorState = Convert.ToBase64String(c.Generator.get_state().data<byte>().ToArray()),
            TorchRngState = Convert.ToBase64String(torch.random.get_rng_state().data<byte>().ToArray()),
            DataFingerprint = Fingerprint(c),
        });
        foreach (var old in Directory.EnumerateFiles(run.Checkpoints, "epoch-*"))
            if (!Path.GetFileName(old).StartsWith($"epoch-{c.Epoch:D3}.", StringComparison.Ordinal) && Path.GetFileName(old) != bestFile) File.Delete(old);
    }

    /// <summary>Puts a run back where its last checkpoint left it. Throws <see cref="MienException"/> when there is none or it does not fit.</summary>
    public static void Restore(TrainingContext c)
    {
        var run = c.Run!;
        // Writes a kill interrupted: never read, and as large as a model each.
        run.DeleteInterruptedWrites();
        if (run.StoppedBeforeFirstCheckpoint)
        {
            // Killed during its first epoch: nothing was committed, so the run starts over (same seed, same run).
            c.Say("--resume: no checkpoint yet (the run stopped before the end of its first epoch): starting from epoch 1.");
            return;
        }
        if (!File.Exists(run.Checkpoint))
            throw new MienException($"--resume: '{run.Root}' has no checkpoint ({Path.GetRelativePath(run.Root, run.Checkpoint)}); train without --resume to start afresh.");
        var ck = MienJson.Read<TrainingCheckpoint>(run.Checkpoint);
        if (ck.Epoch < 0 || ck.History is null || ck.ModelFile is null || ck.OptimizerFile is null)
            throw new MienException($"--resume: '{run.Checkpoint}' is not a usable checkpoint (epoch {ck.Epoch}, or a missing field).");
        if (ck.DataFingerprint.Length > 0 && ck.DataFingerprint != Fingerprint(c))
            throw new MienException($"--resume: the run in '{run.Root}' was trained on other data or another split ({ck.DataFingerprint}, now {Fingerprint(c)}).");
        string monitor = ck.Monitor.Length > 0 ? ck.Monitor : "accuracy";
        if (monitor != c.Options.Monitor)
            throw new MienException($"--resume: the run in '{run.Root}' picked its best epoch by {monitor}; resume it with --monitor {monitor} (asked: {c.Options.Monitor}).");
        // The names come from a file on disk: only plain names inside the checkpoints folder are followed.
        string[] names = string.IsNullOrEmpty(ck.BestModelFile) ? [ck.ModelFile, ck.OptimizerFile] : [ck.ModelFile, ck.OptimizerFile, ck.BestModelFile];
        foreach (var name in names)
            if (name.Length == 0 || Path.GetFileName(name) != name || name is "." or "..")
                throw new MienException($"--resume: '{run.Checkpoint}' names '{name}', not a file of the checkpoints folder.");
        string modelPath = Path.Combine(run.Checkpoints, ck.ModelFile), optPath = Path.Combine(run.Checkpoints, ck.OptimizerFile);
        string? bestPath = string.IsNullOrEmpty(ck.BestModelFile) ? null : Path.Combine(run.Checkpoints, ck.BestModelFile);
        foreach (var p in new[] { modelPath, optPath, bestPath })
            if (p is not null && !File.Exists(p)) throw new MienException($"--resume: the checkpoint names '{p}', which is missing.");
        c.ResumedBestModel = bestPath;
        using (var loaded = EmotionModel.Load(modelPath)) Trainer.LoadWeights(c.Network, Trainer.SaveWeights(loaded.Network));
        c.Optimizer.load_state_dict(optPath);
        c.Schedule.Restore((ck.PlateauFactor, ck.PlateauBest, ck.PlateauBad));
        c.RestoreHistory(ck.History);
        (c.Epoch, c.BestEpoch, c.BestScore) = (ck.Epoch, ck.BestEpoch, ck.BestAccuracy);
        try
        {
            if (ck.GeneratorState.Length > 0) c.Generator.set_state(torch.tensor(Convert.FromBase64String(ck.GeneratorState)));
            if (ck.TorchRngState.Length > 0) torch.random.set_rng_state(torch.tensor(Convert.FromBase64String(ck.TorchRngState)));
        }
        catch (Exception e) when (e is FormatException or System.Runtime.InteropServices.ExternalException or ArgumentException)
        {
            throw new MienException($"--resume: '{run.Checkpoint}' has an unusable random-generator state ({e.Message.Split('\n')[0]}).", e);
        }
        c.Say($"Resumed from epoch {ck.Epoch} (best validation {monitor} {ck.BestAccuracy:P2} at epoch {ck.BestEpoch}).");
    }

    private static string Fingerprint(TrainingContext c)
    {
        // SHA-256 over the images' digests and labels in split order: stable across processes (HashCode is not).
        using var h = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Span<byte> b = stackalloc byte[20];
        foreach (int i in c.Split.Train.Concat(c.Split.Validation))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128LittleEndian(b, c.Data.PixelDigest(i));
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b[16..], c.Data.Labels[i]);
            h.AppendData(b);
        }
        return $"{c.Split.Train.Length}+{c.Split.Validation.Length} images, {c.Data.ClassNames.Count} classes, {Convert.ToHexString(h.GetHashAndReset())[..16].ToLowerInvariant()}";
    }
}

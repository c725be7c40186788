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
    public double BestAccuracy { get; init; }
    public int BestEpoch { get; init; }
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
        string optPath = Path.Combine(run.Checkpoints, optFile);
        c.Optimizer.save_state_dict(optPath + ".tmp");
        File.Move(optPath + ".tmp", optPath, overwrite: true);
        var st = c.Schedule.State;
        MienJson.Write(run.Checkpoint, new TrainingCheckpoint
        {
            Epoch = c.Epoch, ModelFile = modelFile, OptimizerFile = optFile, BestAccuracy = c.BestAccuracy, BestEpoch = c.BestEpoch,
            PlateauFactor = st.Factor, PlateauBest = st.Best, PlateauBad = st.Bad, History = [.. c.History],
            GeneratorState = Convert.ToBase64String(c.Generator.get_state().data<byte>().ToArray()),
            TorchRngState = Convert.ToBase64String(torch.random.get_rng_state().data<byte>().ToArray()),
            DataFingerprint = Fingerprint(c),
        });
        foreach (var old in Directory.EnumerateFiles(run.Checkpoints, "epoch-*"))
            if (!old.Contains($"epoch-{c.Epoch:D3}.", StringComparison.Ordinal)) File.Delete(old);
    }

    /// <summary>Puts a run back where its last checkpoint left it. Throws <see cref="MienException"/> when there is none or it does not fit.</summary>
    public static void Restore(TrainingContext c)
    {
        var run = c.Run!;
        if (!File.Exists(run.Checkpoint))
            throw new MienException($"--resume: '{run.Root}' has no checkpoint ({Path.GetRelativePath(run.Root, run.Checkpoint)}); train without --resume to start afresh.");
        var ck = MienJson.Read<TrainingCheckpoint>(run.Checkpoint);
        if (ck.Epoch < 0 || ck.History is null || ck.ModelFile is null || ck.OptimizerFile is null)
            throw new MienException($"--resume: '{run.Checkpoint}' is not a usable checkpoint (epoch {ck.Epoch}, or a missing field).");
        if (ck.DataFingerprint.Length > 0 && ck.DataFingerprint != Fingerprint(c))
            throw new MienException($"--resume: the run in '{run.Root}' was trained on other data or another split ({ck.DataFingerprint}, now {Fingerprint(c)}).");
        // The names come from a file on disk: only plain names inside the checkpoints folder are followed.
        foreach (var name in new[] { ck.ModelFile, ck.OptimizerFile })
            if (name.Length == 0 || Path.GetFileName(name) != name || name is "." or "..")
                throw new MienException($"--resume: '{run.Checkpoint}' names '{name}', not a file of the checkpoints folder.");
        string modelPath = Path.Combine(run.Checkpoints, ck.ModelFile), optPath = Path.Combine(run.Checkpoints, ck.OptimizerFile);
        foreach (var p in new[] { modelPath, optPath })
            if (!File.Exists(p)) throw new MienException($"--resume: the checkpoint names '{p}', which is missing.");
        using (var loaded = EmotionModel.Load(modelPath)) Trainer.LoadWeights(c.Network, Trainer.SaveWeights(loaded.Network));
        c.Optimizer.load_state_dict(optPath);
        c.Schedule.Restore((ck.PlateauFactor, ck.PlateauBest, ck.PlateauBad));
        c.RestoreHistory(ck.History);
        (c.Epoch, c.BestEpoch, c.BestAccuracy) = (ck.Epoch, ck.BestEpoch, ck.BestAccuracy);
        try
        {
            if (ck.GeneratorState.Length > 0) c.Generator.set_state(torch.tensor(Convert.FromBase64String(ck.GeneratorState)));
            if (ck.TorchRngState.Length > 0) torch.random.set_rng_state(torch.tensor(Convert.FromBase64String(ck.TorchRngState)));
        }
        catch (Exception e) when (e is FormatException or System.Runtime.InteropServices.ExternalException or ArgumentException)
        {
            throw new MienException($"--resume: '{run.Checkpoint}' has an unusable random-generator state ({e.Message.Split('\n')[0]}).", e);
        }
        c.Say($"Resumed from epoch {ck.Epoch} (best validation accuracy {ck.BestAccuracy:P2} at epoch {ck.BestEpoch}).");
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

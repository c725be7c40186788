using System.IO.Compression;
using System.Text.Json;
using Mien.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// A trained network plus its metadata. Saved as one <c>.mien</c> file: a zip holding <c>metadata.json</c> and
/// <c>weights.bin</c> (TorchSharp's format). Saves are atomic: a kill during a save never leaves a broken file.
/// Prediction is thread-safe (inference mode, no shared mutable state).
/// <para>
/// A model made from a network (<see cref="Create"/>, training) predicts with that live network in float32, so
/// it sees every weight update. A model read by <see cref="Load"/> is for prediction: at its first prediction it is compiled into an
/// <see cref="InferencePlan"/> (batch norm folded, channels-last, bfloat16 where the CPU has it), ~2.5x faster.
/// </para>
/// </summary>
public sealed class EmotionModel : IDisposable
{
    /// <summary>The extension of model files.</summary>
    public const string FileExtension = ".mien";
    private static readonly JsonSerializerOptions Json = IO.MienJson.Options;
    // Compiled on first use: a model loaded only for its weights or metadata (checkpoints, --init-from) never pays for it.
    private readonly Lazy<InferencePlan?>? _plan;
    private readonly InferencePrecision? _requestedPrecision; // kept so that a copy (WithMetadata) compiles the same way

    /// <summary>A model from a network and its metadata (predicts with the live network).</summary>
    public EmotionModel(nn.Module<Tensor, Tensor> network, ModelMetadata metadata)
    {
        if (!IsValidTemperature(metadata.Temperature))
            throw new ArgumentOutOfRangeException(nameof(metadata), metadata.Temperature, "The temperature must be a positive finite number.");
        if (LogitBiasProblem(metadata) is { } problem) throw new ArgumentException(problem, nameof(metadata));
        Network = network;
        Metadata = metadata;
    }

    private EmotionModel(nn.Module<Tensor, Tensor> network, ModelMetadata metadata, InferencePrecision precision) : this(network, metadata)
    {
        _requestedPrecision = precision;
        _plan = new(() => precision == InferencePrecision.Auto
            ? PrecisionChooser.CompileFastest(network, metadata, Compile)
            : Compile(network, precision));
    }

    /// <summary>
    /// The precision predictions are computed in: Float32 or BFloat16 for a loaded model, null for a live
    /// network (float32, no compilation).
    /// </summary>
    public InferencePrecision? Precision => _plan?.Value?.Precision;

    /// <summary>
    /// What <see cref="InferencePrecision.Auto"/> may mean on this machine: BFloat16 where the CPU has native bf16, else Float32;
    /// other values are returned as they are. A loaded model decides Auto by measuring both (<see cref="Precision"/> tells the outcome).
    /// </summary>
    [Obsolete("Auto is decided by measurement when a model is loaded; read the loaded model's Precision instead.")]
    public static InferencePrecision ResolvePrecision(InferencePrecision precision) =>
        precision != InferencePrecision.Auto ? precision
        : CpuFeatures.HasNativeBFloat16 ? InferencePrecision.BFloat16 : InferencePrecision.Float32;

    /// <summary>The TorchSharp network.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }
    /// <summary>Label encoding, input size, normalisation and provenance.</summary>
    public ModelMetadata Metadata { get; }
    /// <summary>Output i is the probability of <c>ClassNames[i]</c>.</summary>
    public IReadOnlyList<string> ClassNames => Metadata.ClassNames;
    /// <summary>Side of the square grey input, in pixels.</summary>
    public int InputSize => Metadata.InputSize;

    /// <summary>A fresh, untrained model for a spec and label set.</summary>
    public static EmotionModel Create(ModelSpec spec, IReadOnlyList<string> classNames, float mean, float std) =>
        new(ModelBuilder.Build(spec, classNames.Count, out _), new ModelMetadata { Spec = spec, ClassNames = classNames, InputSize = spec.InputSize, Mean = mean, Std = std });

    /// <summary>Converts grey bytes (count x size x size) to a normalised NCHW float tensor.</summary>
    public Tensor ToInput(ReadOnlySpan<byte> pixels, int count)
    {
        int s = InputSize;
        if (pixels.Length != count * s * s) throw new ArgumentException($"Expected {count}x{s}x{s} pixels, got {pixels.Length}.");
        var data = new float[pixels.Length];
        float scale = 1f / (255f * Metadata.Std), shift = Metadata.Mean / Metadata.Std;
        for (int i = 0; i < data.Length; i++) data[i] = pixels[i] * scale - shift;
        return torch.tensor(data, [count, 1, s, s]);
    }

    /// <summary>
    /// Class probabilities for a batch of grey faces already at the input size: softmax(logits / T), T being
    /// <see cref="ModelMetadata.Temperature"/>. The temperature never changes which class wins.
    /// </summary>
    public float[][] PredictProbabilities(ReadOnlySpan<byte> pixels, int count, bool flipAverage = false)
    {
        if (count == 0) return [];
        using var scope = torch.NewDisposeScope();
        using var _ = torch.inference_mode();
        if (Network.training) throw new InvalidOperationException("Call Network.eval() before predicting.");
        var x = ToInput(pixels, count);
        var p = Probabilities(x);
        if (flipAverage) p = (p + Probabilities(x.flip(3))) / 2;
        var flat = p.contiguous().data<float>().ToArray();
        int k = ClassNames.Count;
        return Enumerable.Range(0, count).Select(i => flat.AsSpan(i * k, k).ToArray()).ToArray();
    }

    private Tensor Probabilities(Tensor x)
    {
        var logits = Logits(x);
        // Explicit Scalars: an implicit one can be finalized during the native call (docs/ARCHITECTURE.md).
        if (Metadata.LogitBias is { } bias)
        {
            using var one = 1.0.ToScalar();
            logits = logits.add(torch.tensor(bias.ToArray(), [1, bias.Count]).to(logits.dtype), one);
        }
        double t = Metadata.Temperature;
        if (t == 1) return torch.nn.functional.softmax(logits, 1);
        using var temperature = t.ToScalar();
        return torch.nn.functional.softmax(logits.div(temperature), 1);
    }

    private Tensor Logits(Tensor x) => _plan?.Value is { } plan ? plan.Forward(x) : Network.forward(MemoryLayout.GreyAsChannelsLast(x));

    /// <summary>
    /// A copy with other metadata (e.g. <c>Metadata with { Temperature = t }</c>) and its own copy of the weights, so
    /// either can be disposed alone. A loaded model's copy is compiled at the same precision.
    /// </summary>
    public EmotionModel WithMetadata(ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.ClassNames.Count != ClassNames.Count || metadata.InputSize != InputSize)
            throw new ArgumentException("The new metadata must keep the model's number of classes and input size.", nameof(metadata));
        var network = BuildForWeights(metadata.Spec, metadata.ClassNames.Count);
        try
        {
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) Network.save(writer);
            buffer.Position = 0;
            using (var reader = new BinaryReader(buffer)) network.load(reader, strict: true);
            network.train(Network.training);
            return _requestedPrecision is { } p ? new EmotionModel(network, metadata, p) : new EmotionModel(network, metadata);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static bool IsValidTemperature(double t) => double.IsFinite(t) && t > 0;

    private static string? LogitBiasProblem(ModelMetadata meta) => meta.LogitBias switch
    {
        null => null,
        var b when b.Count != meta.ClassNames.Count => $"logit_bias has {b.Count} values for {meta.ClassNames.Count} classes.",
        var b when b.Any(v => !float.IsFinite(v) || Math.Abs(v) > 100) => "logit_bias values must be finite numbers within -100..100.",
        _ => null,
    };

    private const long MaxMetadataBytes = 4 << 20;

    // The metadata is read from an untrusted file: sizes that would make every prediction allocate (input_size 4000)
    // or divide by zero (std 0) are refused here, with the file's name.
    private static void CheckMetadata(ModelMetadata meta, string path)
    {
        if (meta.Spec is null || meta.ClassNames is null) throw new ModelFormatException($"'{path}': metadata.json lacks 'spec' or 'class_names'.");
        if (meta.InputSize != meta.Spec.InputSize)
            throw new ModelFormatException($"'{path}': metadata input_size {meta.InputSize} does not match its spec's input_size {meta.Spec.InputSize}.");
        if (meta.ClassNames.Count > 10_000) throw new ModelFormatException($"'{path}': {meta.ClassNames.Count:N0} class names; a Mien model has a handful.");
        if (!float.IsFinite(meta.Mean) || !float.IsFinite(meta.Std) || meta.Std <= 0)
            throw new ModelFormatException($"'{path}': normalisation mean {meta.Mean}, std {meta.Std}; std must be a positive number.");
        if (!double.IsFinite(meta.FaceMargin) || meta.FaceMargin is < 0 or > 2)
            throw new ModelFormatException($"'{path}': face_margin {meta.FaceMargin} is outside 0..2.");
        if (LogitBiasProblem(meta) is { } problem) throw new ModelFormatException($"'{path}': {problem}");
    }

    // Entry lengths in a zip's directory are claims; the copy stops at the limit whatever the stream delivers.
    private static byte[] ReadAtMost(Stream s, long limit, string path, string entry)
    {
        using (s)
        {
            using var copy = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = s.Read(chunk)) > 0)
            {
                if (copy.Length + n > limit) throw new ModelFormatException($"'{path}': {entry} is over the {limit:N0}-byte limit.");
                copy.Write(chunk, 0, n);
            }
            return copy.ToArray();
        }
    }

    /// <summary>Writes the model as one .mien file, atomically.</summary>
    public void Save(string path)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = IO.AtomicFile.TemporaryFor(Path.Combine(dir, "." + Path.GetFileName(path)));
        try
        {
            using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
                {
                    using (var meta = zip.CreateEntry("metadata.json", CompressionLevel.Optimal).Open())
                        JsonSerializer.Serialize(meta, Metadata, Json);
                    using var weights = zip.CreateEntry("weights.bin", CompressionLevel.Optimal).Open();
                    using var buffer = new MemoryStream();
                    using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) Network.save(writer);
                    buffer.Position = 0;
                    buffer.CopyTo(weights);
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>
    /// Loads a model file for prediction: the network is in evaluation mode and compiled for inference at the
    /// given precision (<see cref="InferencePrecision.Auto"/>: bfloat16 where the CPU multiplies it natively).
    /// </summary>
    public static EmotionModel Load(string path, InferencePrecision precision = InferencePrecision.Auto)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"Model file '{path}' does not exist.");
        if (IO.RegularFile.NotRegular(path) is { } kind) throw new ModelFormatException($"Model file '{path}' is {kind}, not a regular file.");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var metaEntry = zip.GetEntry("metadata.json") ?? throw new ModelFormatException($"'{path}' is not a Mien model: it has no metadata.json.");
            var weightsEntry = zip.GetEntry("weights.bin") ?? throw new ModelFormatException($"'{path}' is not a Mien model: it has no weights.bin.");
            if (metaEntry.Length > MaxMetadataBytes)
                throw new ModelFormatException($"'{path}': metadata.json is {metaEntry.Length:N0} bytes, over the {MaxMetadataBytes:N0}-byte limit.");
            ModelMetadata meta;
            using (var s = metaEntry.Open()) meta = JsonSerializer.Deserialize<ModelMetadata>(new MemoryStream(ReadAtMost(s, MaxMetadataBytes, path, "metadata.json")), Json)
                                                 ?? throw new ModelFormatException($"'{path}': empty metadata.");
            if (meta.FormatVersion > 1) throw new ModelFormatException($"'{path}' has model format {meta.FormatVersion}; this Mien reads format 1. Upgrade Mien.");
            if (!IsValidTemperature(meta.Temperature)) throw new ModelFormatException($"'{path}' has temperature {meta.Temperature}; it must be a positive number.");
            CheckMetadata(meta, path);
            // Build checks the spec's sizes before allocating; the weights then must be about as large as its tensors.
            var network = BuildForWeights(meta.Spec, meta.ClassNames.Count, path);
            long expected = network.state_dict().Values.Sum(t => t.numel() * t.ElementSize) + (1 << 20);
            if (weightsEntry.Length > expected)
            {
                network.Dispose();
                throw new ModelFormatException($"'{path}': weights.bin is {weightsEntry.Length:N0} bytes, but the network it describes holds about {expected:N0}.");
            }
            using var buffer = new MemoryStream(ReadAtMost(weightsEntry.Open(), expected, path, "weights.bin"));
            using (var reader = new BinaryReader(buffer)) network.load(reader, strict: true);
            network.eval();
            return new EmotionModel(network, meta, precision);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException or ArgumentException or ModelSpecException)
        {
            throw new ModelFormatException($"'{path}' is not a valid Mien model file (corrupt or truncated): {e.Message}", e);
        }
    }

    /// <summary>
    /// Builds a network whose weights are about to be overwritten. Its initialisation draws from LibTorch's global
    /// generator, which is put back afterwards: loading a model must not shift the random stream of whoever loads it
    /// (a resumed training run reads its best model after restoring that generator, and dropout draws from it).
    /// </summary>
    private static nn.Module<Tensor, Tensor> BuildForWeights(ModelSpec spec, int classes, string? path = null)
    {
        using var state = torch.random.get_rng_state();
        try { return ModelBuilder.Build(spec, classes, out _, path ?? "spec"); }
        finally { torch.random.set_rng_state(state); }
    }

    private static InferencePlan? Compile(nn.Module network, InferencePrecision precision)
    {
        try { return InferencePlan.Build(network, precision); }
        catch (NotSupportedException) { return null; } // a layer the compiler does not know: run the network as it is
    }

    /// <summary>Releases the network's native tensors.</summary>
    public void Dispose()
    {
        if (_plan is { IsValueCreated: true }) _plan.Value?.Dispose();
        Network.Dispose();
    }
}

using System.Globalization;
using System.Text.Json;
using Mien.Models.Onnx;

namespace Mien.Inference;

/// <summary>
/// An emotion model exported by <c>mien export --onnx</c> (docs/ONNX.md), loaded into ONNX Runtime: its class names,
/// input size and face margin come from the file's metadata_props. Thread-safe; dispose to free the session.
/// </summary>
public sealed class OnnxEmotionModel : IDisposable
{
    internal const string DefaultResourceName = "Mien.default.onnx";

    private OnnxEmotionModel(byte[] onnx, string source, int threads)
    {
        Predictor = new OnnxPredictor(onnx, threads);
        try
        {
            var meta = Predictor.Metadata;
            Source = source;
            ClassNames = meta.TryGetValue(OnnxContract.ClassNamesKey, out var names) && JsonSerializer.Deserialize<string[]>(names) is { } list
                ? list
                : throw new InvalidDataException($"{source}: no '{OnnxContract.ClassNamesKey}' in its metadata_props; export the model with `mien export --onnx`.");
            if (ClassNames.Count != Predictor.ClassCount)
                throw new InvalidDataException($"{source}: {ClassNames.Count} class names for {Predictor.ClassCount} outputs.");
            FaceMargin = meta.TryGetValue(OnnxContract.FaceMarginKey, out var margin) ? double.Parse(margin, CultureInfo.InvariantCulture) : 0.02;
            Name = meta.TryGetValue(OnnxContract.ModelNameKey, out var name) ? name : Path.GetFileNameWithoutExtension(source);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            Predictor.Dispose();
            throw new InvalidDataException($"{source}: unreadable metadata_props ({e.Message}).", e);
        }
        catch
        {
            Predictor.Dispose();
            throw;
        }
    }

    internal OnnxPredictor Predictor { get; }

    /// <summary>Where the model came from (a path, or "bundled").</summary>
    public string Source { get; }
    /// <summary>The model's name (its spec's, e.g. vgg-small).</summary>
    public string Name { get; }
    /// <summary>Output column i is class i.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Side S of the square grey face the network reads.</summary>
    public int InputSize => Predictor.InputSize;
    /// <summary>Margin around a detected face box, per side, as a fraction of its size (the crop the model was trained on).</summary>
    public double FaceMargin { get; }
    /// <summary>All of the file's metadata_props.</summary>
    public IReadOnlyDictionary<string, string> Metadata => Predictor.Metadata;

    /// <summary>Reads an .onnx file written by <c>mien export --onnx</c>.</summary>
    /// <param name="threads">ONNX Runtime's intra-op threads (0: its default, the cores).</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a Mien emotion model.</exception>
    public static OnnxEmotionModel Load(string path, int threads = 0)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        return new OnnxEmotionModel(File.ReadAllBytes(path), path, threads);
    }

    /// <summary>The bundled model: Mien's default model (FER2013 + FER+ + CK+, 7 emotions) exported to ONNX.</summary>
    public static OnnxEmotionModel LoadDefault(int threads = 0)
    {
        using var s = typeof(OnnxEmotionModel).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidDataException("This build of Mien.Onnx has no bundled model (models/mien-default.onnx was missing at build time).");
        using var bytes = new MemoryStream();
        s.CopyTo(bytes);
        return new OnnxEmotionModel(bytes.ToArray(), "bundled", threads);
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => Predictor.Dispose();
}

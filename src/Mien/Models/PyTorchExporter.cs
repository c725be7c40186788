using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Mien.Models;

/// <summary>
/// Writes a model for PyTorch: the network's state dict as a <c>torch.load</c>-able file (TorchSharp.PyBridge) and,
/// beside it, the model's metadata (spec, class names, normalisation, temperature) as JSON, from which
/// <c>docs/mien_pytorch.py</c> rebuilds the same <c>nn.Sequential</c> with the same tensor names.
/// </summary>
public static class PyTorchExporter
{
    /// <summary>The metadata file written beside a state dict: <c>model.pt</c> gives <c>model.json</c>.</summary>
    public static string MetadataPath(string statePath) => Path.ChangeExtension(statePath, ".json");

    /// <summary>Writes the state dict to <paramref name="path"/> and the metadata to <see cref="MetadataPath"/>.</summary>
    public static void Export(EmotionModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        string json = MetadataPath(path);
        if (string.Equals(Path.GetFullPath(json), Path.GetFullPath(path), StringComparison.Ordinal))
            throw new Onnx.OnnxExportException($"'{path}': the state dict needs another extension than .json (e.g. .pt); its metadata goes to the .json beside it.");
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        model.Network.save_py(path);
        File.WriteAllText(json, JsonSerializer.Serialize(model.Metadata, IO.MienJson.Options));
    }
}

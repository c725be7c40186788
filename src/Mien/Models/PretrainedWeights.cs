using System.Collections;
using Mien.IO;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// Loads a PyTorch/torchvision state dict (<c>.pth</c>/<c>.pt</c> written by <c>torch.save(model.state_dict(), ...)</c>,
/// read with TorchSharp.PyBridge, or <c>.safetensors</c>) into a model's backbone. Tensors are matched by name and shape
/// under torchvision's names; the file's classifier (<see cref="BackboneArchitecture.HeadPrefixes"/>) is skipped because
/// the model's head is new. The first convolution keeps its three input channels: the network repeats grey into RGB.
/// Anything else that does not fit is one <see cref="MienException"/> naming every missing, unexpected and
/// mis-shaped tensor.
/// </summary>
public static class PretrainedWeights
{
    /// <summary>Extensions read as safetensors; everything else is read as a PyTorch pickle.</summary>
    public const string SafetensorsExtension = ".safetensors";

    private const int Listed = 8;

    /// <summary>Loads a torchvision state dict (.pth/.pt/.safetensors) into a backbone model's trunk.</summary>
    public static PretrainedWeightsResult Load(EmotionModel model, string path) => Load(model.Network, model.Metadata.Spec, path);

    /// <summary>Loads into a network built from <paramref name="spec"/> (its first layer must be a backbone).</summary>
    public static PretrainedWeightsResult Load(nn.Module network, ModelSpec spec, string path)
    {
        if (Onnx.OnnxBackbones.IsOnnx(spec)) return Onnx.OnnxBackbones.LoadWeights(network, spec, path);
        if (!ModelZoo.IsBackbone(spec))
            throw new MienException($"Pretrained weights load into a TorchVision backbone ({string.Join(", ", Backbones.Names)}); '{spec.Name}' has none.");
        var arch = Backbones.Find(spec.Layers[0].Name ?? "") ?? throw new ModelSpecException($"'{spec.Name}': unknown backbone '{spec.Layers[0].Name}'.");
        var trunk = network.named_children().FirstOrDefault(c => c.name == ModelBuilder.BackboneModule).module
                    ?? throw new ArgumentException($"The network has no '{ModelBuilder.BackboneModule}' module; build it with ModelBuilder.", nameof(network));
        if (!File.Exists(path)) throw new MienException($"Weights file '{path}' does not exist.");

        using var scope = torch.NewDisposeScope();
        var file = StripDataParallel(Read(path));
        var expected = trunk.state_dict();
        var missing = new List<string>();
        var unexpected = new List<string>();
        var misShaped = new List<string>();
        int skipped = 0;
        foreach (var (name, tensor) in file)
        {
            if (arch.HeadPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))) { skipped++; continue; }
            if (!expected.TryGetValue(name, out var target)) unexpected.Add(name);
            else if (!tensor.shape.SequenceEqual(target.shape)) misShaped.Add($"{name} (file {Shape(tensor)}, {arch.Name} {Shape(target)})");
        }
        // A pickle's dictionary comes back unordered: sort, so the message is the same every time.
        unexpected.Sort(StringComparer.Ordinal);
        misShaped.Sort(StringComparer.Ordinal);
        // Files from before PyTorch 0.4.1 have no batch-norm step counters; eval and fine-tuning never read them.
        missing.AddRange(expected.Keys.Where(k => !file.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)));
        if (missing.Count + unexpected.Count + misShaped.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"{missing.Count} missing: {List(missing)}");
            if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected: {List(unexpected)}");
            if (misShaped.Count > 0) parts.Add($"{misShaped.Count} mis-shaped: {List(misShaped)}");
            throw new MienException($"'{path}' is not a torchvision {arch.Name} state dict: {string.Join("; ", parts)}. " +
                                    $"(Its classifier, {string.Join(", ", arch.HeadPrefixes.Select(p => p + "*"))}, is skipped on purpose; every other tensor must match by name and shape.)");
        }
        int loaded = 0;
        using (torch.no_grad())
        {
            foreach (var (name, target) in expected)
            {
                if (!file.TryGetValue(name, out var source)) continue;
                target.copy_(source);
                loaded++;
            }
        }
        return new PretrainedWeightsResult(arch.Name, loaded, skipped);
    }

    /// <summary>The tensors of a state-dict file, by name.</summary>
    private static Dictionary<string, Tensor> Read(string path)
    {
        try
        {
            if (path.EndsWith(SafetensorsExtension, StringComparison.OrdinalIgnoreCase)) return Safetensors.LoadStateDict(path);
            var table = PyTorchUnpickler.UnpickleStateDict(path);
            var dict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry e in table)
            {
                if (e.Value is not Tensor t)
                    throw new MienException($"'{path}' holds '{e.Key}' = {e.Value?.GetType().Name ?? "null"}, not a tensor: save the model's state dict itself, torch.save(model.state_dict(), path).");
                dict[(string)e.Key] = t;
            }
            return dict;
        }
        catch (Exception e) when (e is not MienException)
        {
            throw new MienException($"'{path}' could not be read as a PyTorch state dict (torch.save(model.state_dict(), path)) or {SafetensorsExtension} file: {e.Message}", e);
        }
    }

    /// <summary>nn.DataParallel saves every name under "module.".</summary>
    private static Dictionary<string, Tensor> StripDataParallel(Dictionary<string, Tensor> file) =>
        file.Count > 0 && file.Keys.All(k => k.StartsWith("module.", StringComparison.Ordinal))
            ? file.ToDictionary(p => p.Key["module.".Length..], p => p.Value, StringComparer.Ordinal)
            : file;

    private static string Shape(Tensor t) => t.shape.Length == 0 ? "scalar" : string.Join("x", t.shape);

    private static string List(List<string> names) =>
        string.Join(", ", names.Take(Listed)) + (names.Count > Listed ? $" and {names.Count - Listed} more" : "");
}

using Mien.Models.Presets;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// The registry of named networks (like timm's <c>create_model</c>): the hand-made presets (a new one is one file in
/// <c>Models/Presets</c> plus one line here) and the TorchVision backbones (<see cref="Backbones"/>, one spec each
/// from <see cref="BackbonePresets"/>). Both resolve by name in <see cref="GetSpec"/>; <see cref="Names"/> lists only the
/// presets, which benchmarks and the preset test theories run in full, <see cref="BackboneNames"/> the backbones.
/// </summary>
public static class ModelZoo
{
    /// <summary>The preset used when none is named.</summary>
    public const string DefaultPreset = "vgg-small";

    private static readonly Dictionary<string, ModelSpec> Presets = new(StringComparer.OrdinalIgnoreCase)
    {
        [SeedPreset.Spec.Name] = SeedPreset.Spec,
        [VggSmallPreset.Spec.Name] = VggSmallPreset.Spec,
        [MiniXceptionPreset.Spec.Name] = MiniXceptionPreset.Spec,
        [VggTinyPreset.Spec.Name] = VggTinyPreset.Spec,
    };

    private static readonly Dictionary<string, ModelSpec> BackboneSpecs = BackbonePresets.All.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The hand-made presets.</summary>
    public static IReadOnlyCollection<string> Names => Presets.Keys;

    /// <summary>The TorchVision backbones (resnet18, mobilenet_v2, ...), at their default input size.</summary>
    public static IReadOnlyCollection<string> BackboneNames => BackboneSpecs.Keys;

    /// <summary>Whether a spec starts with a TorchVision backbone or an imported ONNX graph (its input size may then be chosen freely within the backbone's range).</summary>
    public static bool IsBackbone(ModelSpec spec) => spec.Layers.Count > 0 && (string.Equals(spec.Layers[0].Type.Trim(), "backbone", StringComparison.OrdinalIgnoreCase) || Onnx.OnnxBackbones.IsOnnx(spec));

    /// <summary>The spec of a preset, or of a JSON layer-spec file when <paramref name="nameOrPath"/> is a path.</summary>
    public static ModelSpec GetSpec(string nameOrPath)
    {
        if (Presets.TryGetValue(nameOrPath, out var spec) || BackboneSpecs.TryGetValue(nameOrPath, out spec)) return spec;
        if (Onnx.OnnxBackbones.Names.Contains(nameOrPath, StringComparer.OrdinalIgnoreCase) || nameOrPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            return Onnx.OnnxBackbones.Spec(nameOrPath);
        if (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrPath)) return ModelSpec.FromFile(nameOrPath);
        throw new ModelSpecException($"Unknown model preset '{nameOrPath}'. Known presets: {string.Join(", ", Presets.Keys)}; backbones: {string.Join(", ", BackboneSpecs.Keys.Concat(Onnx.OnnxBackbones.Names))} (or a path to a JSON layer spec or an .onnx CNN).");
    }

    /// <summary>Builds a fresh, randomly initialised network.</summary>
    public static nn.Module<Tensor, Tensor> CreateModel(string nameOrPath, int classes) =>
        ModelBuilder.Build(GetSpec(nameOrPath), classes, out _);
}

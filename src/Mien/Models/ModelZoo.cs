using Mien.Models.Presets;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Models;

/// <summary>
/// The registry of named network presets (like timm's <c>create_model</c>). A new preset is one file in
/// <c>Models/Presets</c> plus one line here.
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
    };

    /// <summary>The registered preset names.</summary>
    public static IReadOnlyCollection<string> Names => Presets.Keys;

    /// <summary>The spec of a preset, or of a JSON layer-spec file when <paramref name="nameOrPath"/> is a path.</summary>
    public static ModelSpec GetSpec(string nameOrPath)
    {
        if (Presets.TryGetValue(nameOrPath, out var spec)) return spec;
        if (nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrPath)) return ModelSpec.FromFile(nameOrPath);
        throw new ModelSpecException($"Unknown model preset '{nameOrPath}'. Known presets: {string.Join(", ", Presets.Keys)} (or a path to a JSON layer spec).");
    }

    /// <summary>Builds a fresh, randomly initialised network.</summary>
    public static nn.Module<Tensor, Tensor> CreateModel(string nameOrPath, int classes) =>
        ModelBuilder.Build(GetSpec(nameOrPath), classes, out _);
}

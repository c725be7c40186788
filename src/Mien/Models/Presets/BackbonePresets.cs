namespace Mien.Models.Presets;

/// <summary>
/// One spec per <see cref="Backbones"/> architecture: the torchvision trunk, global average pooling, torchvision's
/// dropout before its last layer, then the builder's classifier (one output per class). Default input 48x48, the
/// datasets' own size (Inception v3: 75, its minimum); a spec's input size can be changed
/// (<c>spec with { InputSize = 64 }</c>, or <c>--image-size</c> on the command line).
/// </summary>
internal static class BackbonePresets
{
    public static IReadOnlyList<ModelSpec> All { get; } = Backbones.All.Select(For).ToArray();

    public static ModelSpec For(BackboneArchitecture a) => new()
    {
        Name = a.Name,
        Description = $"{a.Description}: the torchvision trunk, a new head; ImageNet weights via --weights.",
        InputSize = Math.Max(48, a.MinInputSize),
        Layers =
        [
            new() { Type = "backbone", Name = a.Name },
            new() { Type = "global_avg_pool" },
            .. a.HeadDropout > 0 ? [new LayerSpec { Type = "dropout", Rate = a.HeadDropout }] : Array.Empty<LayerSpec>(),
        ],
    };
}

namespace Mien.Models.Presets;

/// <summary>
/// "mini-xception" (Arriaga, Valdenegro-Toro and Plöger, 2017): two plain convolutions, then four residual
/// modules of depthwise-separable convolutions (16, 32, 64, 128 filters), global average pooling.
/// ~60 k parameters: the small, fast reference for FER2013 (66% reported on PublicTest).
/// </summary>
internal static class MiniXceptionPreset
{
    public static ModelSpec Spec { get; } = new()
    {
        Name = "mini-xception",
        Description = "Arriaga et al. 2017: 2 conv + 4 residual separable-conv modules (16..128), global average pooling. ~60k params.",
        InputSize = 48,
        Layers =
        [
            new() { Type = "conv2d", Filters = 8, Kernel = 3, BatchNorm = true, Activation = "relu" },
            new() { Type = "conv2d", Filters = 8, Kernel = 3, BatchNorm = true, Activation = "relu" },
            Module(16), Module(32), Module(64), Module(128),
            new() { Type = "global_avg_pool" },
        ],
    };

    private static LayerSpec Module(int filters) => new()
    {
        Type = "residual",
        ShortcutStride = 2,
        Layers =
        [
            new() { Type = "separable_conv2d", Filters = filters, Kernel = 3, BatchNorm = true, Activation = "relu" },
            new() { Type = "separable_conv2d", Filters = filters, Kernel = 3, BatchNorm = true },
            new() { Type = "maxpool", Kernel = 3, Stride = 2, Padding = "1" },
        ],
    };
}

namespace Mien.Models.Presets;

/// <summary>
/// "vgg-small" (the default): VGG-style 3x3 conv blocks with batch norm, widening 32→64→128→256 as the
/// image halves. Only one convolution runs at full 48x48 resolution, because there it costs the most and
/// adds the least; the depth goes where the maps are small. ~1.2 M parameters, ~75 M multiply-adds.
/// </summary>
public static class VggSmallPreset
{
    /// <summary>The vgg-small layer spec.</summary>
    public static ModelSpec Spec { get; } = new()
    {
        Name = "vgg-small",
        Description = "VGG-style: conv32 | conv64 x2 | conv128 x2 | conv256, batch norm, dense 256. The default.",
        InputSize = 48,
        Layers =
        [
            Conv(32), Pool(),
            Conv(64), Conv(64), Pool(),
            Conv(128), Conv(128), Pool(),
            Conv(256), Pool(),
            new() { Type = "dropout", Rate = 0.25 },
            new() { Type = "flatten" },
            new() { Type = "dense", Units = 256, BatchNorm = true, Activation = "relu" },
            new() { Type = "dropout", Rate = 0.5 },
        ],
    };

    private static LayerSpec Conv(int filters) => new() { Type = "conv2d", Filters = filters, Kernel = 3, BatchNorm = true, Activation = "relu" };
    private static LayerSpec Pool() => new() { Type = "maxpool", Kernel = 2 };
}

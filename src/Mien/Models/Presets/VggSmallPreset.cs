namespace Mien.Models.Presets;

/// <summary>
/// "vgg-small" (the default): VGG-style 3x3 conv blocks with batch norm, widening 32→64→128→256 as the
/// image halves. Only one convolution runs at full 48x48 resolution, because there it costs the most and
/// adds the least; the depth goes where the maps are small. ~1.2 M parameters, ~75 M multiply-adds.
/// </summary>
public static class VggSmallPreset
{
    /// <summary>The vgg-small layer spec.</summary>
    public static ModelSpec Spec { get; } = Build("vgg-small", "VGG-style: conv32 | conv64 x2 | conv128 x2 | conv256, batch norm, dense 256. The default.", 32);

    /// <summary>The vgg-small layout with <paramref name="width"/> filters in the first convolution (32 for vgg-small), doubling at each pooling.</summary>
    internal static ModelSpec Build(string name, string description, int width) => new()
    {
        Name = name,
        Description = description,
        InputSize = 48,
        Layers =
        [
            Conv(width), Pool(),
            Conv(width * 2), Conv(width * 2), Pool(),
            Conv(width * 4), Conv(width * 4), Pool(),
            Conv(width * 8), Pool(),
            new() { Type = "dropout", Rate = 0.25 },
            new() { Type = "flatten" },
            new() { Type = "dense", Units = width * 8, BatchNorm = true, Activation = "relu" },
            new() { Type = "dropout", Rate = 0.5 },
        ],
    };

    private static LayerSpec Conv(int filters) => new() { Type = "conv2d", Filters = filters, Kernel = 3, BatchNorm = true, Activation = "relu" };
    private static LayerSpec Pool() => new() { Type = "maxpool", Kernel = 2 };
}

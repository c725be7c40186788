namespace Mien.Models.Presets;

/// <summary>
/// "vgg-tiny": vgg-small at half the width (16→32→64→128, dense 128), a quarter of its multiply-adds. Made to be
/// trained by distillation from a bigger model (<see cref="Training.TrainingOptions.Teachers"/>) for CPUs where
/// vgg-small is too slow; convolutions this narrow still run dense, so it keeps most of a dense network's speed per
/// FLOP, unlike depthwise ones.
/// </summary>
public static class VggTinyPreset
{
    /// <summary>The vgg-tiny layer spec.</summary>
    public static ModelSpec Spec { get; } = new()
    {
        Name = "vgg-tiny",
        Description = "vgg-small at half width: conv16 | conv32 x2 | conv64 x2 | conv128, batch norm, dense 128. For distillation (--teacher).",
        InputSize = 48,
        Layers =
        [
            Conv(16), Pool(),
            Conv(32), Conv(32), Pool(),
            Conv(64), Conv(64), Pool(),
            Conv(128), Pool(),
            new() { Type = "dropout", Rate = 0.25 },
            new() { Type = "flatten" },
            new() { Type = "dense", Units = 128, BatchNorm = true, Activation = "relu" },
            new() { Type = "dropout", Rate = 0.5 },
        ],
    };

    private static LayerSpec Conv(int filters) => new() { Type = "conv2d", Filters = filters, Kernel = 3, BatchNorm = true, Activation = "relu" };
    private static LayerSpec Pool() => new() { Type = "maxpool", Kernel = 2 };
}

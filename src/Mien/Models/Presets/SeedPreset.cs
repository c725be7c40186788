namespace Mien.Models.Presets;

/// <summary>
/// "seed": the network of the classic Keras FER notebook this product started from — five convolutions
/// (AlexNet-style 5x5 then 3x3, max/average pooling) and two 1024-unit dense layers, at 48x48.
/// No batch norm: kept as the historical baseline.
/// </summary>
internal static class SeedPreset
{
    public static ModelSpec Spec { get; } = new()
    {
        Name = "seed",
        Description = "The original Keras notebook network: 5 conv (64,64,64,128,128) + 2x dense 1024, no batch norm.",
        InputSize = 48,
        Layers =
        [
            new() { Type = "conv2d", Filters = 64, Kernel = 5, Padding = "valid", Activation = "relu" },
            new() { Type = "maxpool", Kernel = 5, Stride = 2 },
            new() { Type = "conv2d", Filters = 64, Kernel = 3, Padding = "valid", Activation = "relu" },
            new() { Type = "conv2d", Filters = 64, Kernel = 3, Padding = "valid", Activation = "relu" },
            new() { Type = "avgpool", Kernel = 3, Stride = 2 },
            new() { Type = "conv2d", Filters = 128, Kernel = 3, Padding = "valid", Activation = "relu" },
            new() { Type = "conv2d", Filters = 128, Kernel = 3, Padding = "valid", Activation = "relu" },
            new() { Type = "avgpool", Kernel = 3, Stride = 2 },
            new() { Type = "flatten" },
            new() { Type = "dense", Units = 1024, Activation = "relu" },
            new() { Type = "dropout", Rate = 0.2 },
            new() { Type = "dense", Units = 1024, Activation = "relu" },
            new() { Type = "dropout", Rate = 0.2 },
        ],
    };
}

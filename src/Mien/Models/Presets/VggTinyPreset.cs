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
    public static ModelSpec Spec { get; } = VggSmallPreset.Build("vgg-tiny",
        "vgg-small at half width: conv16 | conv32 x2 | conv64 x2 | conv128, batch norm, dense 128. For distillation (--teacher).", 16);
}

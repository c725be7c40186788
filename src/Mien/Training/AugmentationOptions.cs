namespace Mien.Training;

/// <summary>Random, label-preserving changes applied to each training batch (never to validation or test).</summary>
public sealed record AugmentationOptions
{
    /// <summary>False turns every change off.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Maximum shift, as a fraction of the image side (random crop/shift).</summary>
    public double MaxShift { get; init; } = 0.1;

    /// <summary>Maximum zoom in or out, as a fraction (0.1 = 90%..110%).</summary>
    public double MaxScale { get; init; } = 0.1;

    /// <summary>Maximum rotation either way, in degrees.</summary>
    public double MaxRotationDegrees { get; init; } = 10;
    /// <summary>Mirror half of the faces.</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>Maximum brightness change, as a fraction of the full grey range.</summary>
    public double Brightness { get; init; } = 0.2;

    /// <summary>Maximum contrast change (0.2 = 80%..120%).</summary>
    public double Contrast { get; init; } = 0.2;

    /// <summary>No augmentation.</summary>
    public static AugmentationOptions None { get; } = new() { Enabled = false };
}

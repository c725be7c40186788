namespace Mien.Inference;

/// <summary>The names the CLI, video and web outputs give a <see cref="FaceSource"/> (one spelling everywhere).</summary>
public static class FaceSourceNames
{
    /// <summary>"detected", "padded", "whole-image" or "tracked".</summary>
    public static string Name(this FaceSource source) => source switch
    {
        FaceSource.Detected => "detected",
        FaceSource.Padded => "padded",
        FaceSource.WholeImage => "whole-image",
        FaceSource.Tracked => "tracked",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };
}

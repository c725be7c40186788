namespace Mien.Inference;

/// <summary>Which frames of a video or camera stream <see cref="VideoRecognizer"/> reads.</summary>
public sealed record VideoOptions
{
    /// <summary>Classify every n-th frame (1 = all). Expressions change over several frames, so 2-5 loses little.</summary>
    public int Every { get; init; } = 1;

    /// <summary>Stop after this many frames have been read (0 = the whole video; a camera runs until cancelled).</summary>
    public int MaxFrames { get; init; }

    internal void Validate()
    {
        if (Every < 1) throw new ArgumentOutOfRangeException(nameof(Every), Every, "Must be >= 1.");
        if (MaxFrames < 0) throw new ArgumentOutOfRangeException(nameof(MaxFrames), MaxFrames, "Must be >= 0 (0 = all frames).");
    }
}

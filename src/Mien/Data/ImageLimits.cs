namespace Mien.Data;

/// <summary>Limits that protect memory from hostile or accidental inputs.</summary>
internal static class ImageLimits
{
    /// <summary>Images with more pixels than this are refused before decoding (default 50 megapixels).</summary>
    public static long MaxPixels { get; set; } = 50_000_000;

    /// <summary>Files larger than this are refused before reading (default 200 MB).</summary>
    public static long MaxFileBytes { get; set; } = 200L << 20;

    /// <summary>
    /// An image in a dataset larger than this is skipped and reported, unread (default 64 MB): face datasets hold
    /// small pictures, and a stray disk image or video renamed .png would otherwise be read whole.
    /// </summary>
    public static long MaxDatasetImageBytes { get; set; } = 64L << 20;
}

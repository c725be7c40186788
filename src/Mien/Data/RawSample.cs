namespace Mien.Data;

/// <summary>
/// One labelled item as a dataset format yields it, before decoding: either encoded image bytes (a file)
/// or ready grey pixels (a CSV row). <paramref name="Votes"/>, when present, is a label distribution (FER+ annotator
/// votes per class name, any scale); <paramref name="ClassName"/> is then its majority class.
/// </summary>
public sealed record RawSample(
    string Source,
    string ClassName,
    string? Subject,
    string? Split,
    Func<byte[]>? ReadBytes = null,
    byte[]? GrayPixels = null,
    int PixelWidth = 0,
    int PixelHeight = 0,
    IReadOnlyDictionary<string, float>? Votes = null);

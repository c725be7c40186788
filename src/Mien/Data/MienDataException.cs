namespace Mien.Data;

/// <summary>A dataset or input cannot be used as a whole (missing path, no images, malformed file...).</summary>
public sealed class MienDataException(string message, Exception? inner = null) : IO.MienException(message, inner);

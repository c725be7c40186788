namespace Mien.Models;

/// <summary>A model file that is missing, corrupt, or of an unsupported version.</summary>
public sealed class ModelFormatException(string message, Exception? inner = null) : IO.MienException(message, inner);

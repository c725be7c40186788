namespace Mien.Models;

/// <summary>A layer spec or preset name that cannot be built, with the reason.</summary>
public sealed class ModelSpecException(string message) : IO.MienException(message);

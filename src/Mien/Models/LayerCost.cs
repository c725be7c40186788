namespace Mien.Models;

/// <summary>One built layer: its description, output shape, parameters and multiply-adds per image.</summary>
public sealed record LayerCost(string Layer, string OutputShape, long Parameters, long MultiplyAdds);

namespace Mien.Models;

/// <summary>Size and cost of a built network, for <c>mien models</c> and benchmarks.</summary>
public sealed record ModelSummary(string Name, int InputSize, int Classes, long Parameters, long MultiplyAdds, IReadOnlyList<LayerCost> Layers)
{
    /// <summary>Floating-point operations of one forward pass (2 per multiply-add).</summary>
    public long Flops => 2 * MultiplyAdds;
}

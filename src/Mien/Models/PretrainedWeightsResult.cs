namespace Mien.Models;

/// <summary>What <see cref="PretrainedWeights"/>.Load did: tensors copied into the backbone, and the file's classifier tensors left out.</summary>
public sealed record PretrainedWeightsResult(string Architecture, int TensorsLoaded, int HeadTensorsSkipped);

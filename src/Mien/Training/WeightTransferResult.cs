namespace Mien.Training;

/// <summary>What <see cref="WeightTransfer.Apply"/> copied: weight tensors, and which classes kept their output weights.</summary>
public sealed record WeightTransferResult(int Tensors, int TensorsCopied, IReadOnlyList<string> ClassesKept, IReadOnlyList<string> ClassesNew);

namespace Mien.Training;

/// <summary>The number format training computes in (<see cref="TrainingOptions.Precision"/>).</summary>
public enum TrainingPrecision
{
    /// <summary>32-bit floats throughout.</summary>
    Float32,

    /// <summary>
    /// Mixed precision: convolutions and dense layers compute forward and backward in bfloat16, batch norm, the loss and
    /// the optimizer in float32, and the weights the optimizer updates (and every saved model) stay float32 (PyTorch's
    /// CPU autocast recipe). On CPUs with native bfloat16 (AVX512-BF16, AMX) plain convolutional networks train about 1.3-1.65x
    /// faster; depthwise-separable ones (mini-xception) do not gain (docs/BENCHMARKS.md, "bf16 training"). Where the CPU
    /// has to emulate bfloat16 it is slower than float32.
    /// </summary>
    BFloat16,
}

namespace Mien.Models;

/// <summary>The number format a loaded model computes in.</summary>
public enum InferencePrecision
{
    /// <summary>bfloat16 where the CPU multiplies it natively (AVX512-BF16 or AMX), otherwise float32.</summary>
    Auto,

    /// <summary>32-bit floats, as in training.</summary>
    Float32,

    /// <summary>
    /// bfloat16 activations and weights (float32 accumulation): about twice the speed on CPUs with native support,
    /// probabilities within ~0.01 of float32. Slow where the CPU has to emulate it.
    /// </summary>
    BFloat16,
}

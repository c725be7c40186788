namespace Mien.Models;

/// <summary>The number format a loaded model computes in.</summary>
public enum InferencePrecision
{
    /// <summary>
    /// float32 or bfloat16, whichever computes this network faster on this CPU, measured once and cached; float32 where
    /// the CPU has no native bfloat16 (AVX512-BF16 or AMX).
    /// </summary>
    Auto,

    /// <summary>32-bit floats, as in training.</summary>
    Float32,

    /// <summary>
    /// bfloat16 activations and weights (float32 accumulation): about twice the speed on CPUs with native support,
    /// probabilities within ~0.01 of float32. Slow where the CPU has to emulate it.
    /// </summary>
    BFloat16,
}

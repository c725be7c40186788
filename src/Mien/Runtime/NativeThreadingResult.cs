namespace Mien.Runtime;

/// <summary>What <see cref="NativeThreading.Tune"/> did.</summary>
public enum NativeThreadingResult
{
    /// <summary>GOMP_SPINCOUNT is set for LibTorch's OpenMP threads.</summary>
    Applied,
    /// <summary>An earlier call already decided.</summary>
    AlreadyTuned,
    /// <summary>The environment names GOMP_SPINCOUNT or OMP_WAIT_POLICY: the user's setting stands.</summary>
    UserSetting,
    /// <summary>LibTorch (and its libgomp) was loaded before the call, which read the environment already.</summary>
    TooLate,
    /// <summary>Not Linux: LibTorch's OpenMP there is not libgomp, nothing is set.</summary>
    NotLinux,
    /// <summary>The C library refused the variable.</summary>
    Failed,
}

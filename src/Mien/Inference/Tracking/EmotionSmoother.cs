namespace Mien.Inference.Tracking;

/// <summary>
/// An exponential moving average over one track's probabilities with a time constant in seconds: the weight of a new
/// frame is 1 - exp(-dt / tau), so irregular frame times (a camera dropping frames, --every) smooth alike. The average
/// of probability vectors is still a probability vector.
/// </summary>
public sealed class EmotionSmoother
{
    private readonly double _tau;
    private float[]? _state;
    private double _time;

    /// <param name="timeConstantSeconds">tau; 0 passes the raw values through.</param>
    public EmotionSmoother(double timeConstantSeconds)
    {
        if (!(timeConstantSeconds >= 0)) throw new ArgumentOutOfRangeException(nameof(timeConstantSeconds), timeConstantSeconds, "Must be >= 0.");
        _tau = timeConstantSeconds;
    }

    /// <summary>Adds a frame's raw probabilities and returns the smoothed ones (a new array; the first frame's are its own).</summary>
    public float[] Update(ReadOnlySpan<float> raw, double timeSeconds)
    {
        if (_state is null || _tau == 0)
        {
            _state = raw.ToArray();
        }
        else
        {
            if (raw.Length != _state.Length) throw new ArgumentException($"Expected {_state.Length} probabilities, got {raw.Length}.", nameof(raw));
            double w = 1 - Math.Exp(-Math.Max(0, timeSeconds - _time) / _tau);
            for (int i = 0; i < raw.Length; i++) _state[i] += (float)(w * (raw[i] - _state[i]));
        }
        _time = timeSeconds;
        return (float[])_state.Clone();
    }
}

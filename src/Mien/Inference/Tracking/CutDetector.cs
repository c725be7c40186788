using OpenCvSharp;

namespace Mien.Inference.Tracking;

/// <summary>
/// Finds hard cuts: the mean absolute difference of 32x24 grey thumbnails of consecutive frames. A thumbnail averages
/// away noise and small motion; a new shot changes most of the picture at once.
/// </summary>
internal sealed class CutDetector(double threshold) : IDisposable
{
    private static readonly Size Thumb = new(32, 24);
    private Mat? _previous;
    private readonly Mat _grey = new(), _current = new(), _diff = new();

    /// <summary>The last frame's difference from the one before (0-255); NaN for the first frame.</summary>
    public double LastDifference { get; private set; } = double.NaN;

    /// <summary>True when <paramref name="frame"/> starts a new shot (never for the first frame, or with threshold 0).</summary>
    public bool IsCut(Mat frame)
    {
        if (threshold <= 0) return false;
        if (frame.Channels() == 1) frame.CopyTo(_grey);
        else Cv2.CvtColor(frame, _grey, frame.Channels() == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
        Cv2.Resize(_grey, _current, Thumb, interpolation: InterpolationFlags.Area);
        if (_previous is null)
        {
            _previous = _current.Clone();
            return false;
        }
        Cv2.Absdiff(_current, _previous, _diff);
        LastDifference = Cv2.Mean(_diff).Val0;
        _current.CopyTo(_previous);
        return LastDifference > threshold;
    }

    public void Dispose()
    {
        _previous?.Dispose();
        _grey.Dispose();
        _current.Dispose();
        _diff.Dispose();
    }
}

using System.Globalization;
using OpenCvSharp;

namespace Mien.Inference;

/// <summary>
/// Emotions frame by frame in a video file or a camera stream, read with OpenCV's VideoCapture (FFmpeg for files,
/// V4L2 for cameras on Linux). Frames are yielded as they are read, so a live stream can be shown as it goes.
/// </summary>
public static class VideoRecognizer
{
    /// <summary>"camera:N" opens camera N (0 = the default webcam); anything else is a video file path.</summary>
    public static VideoCapture Open(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        VideoCapture capture;
        if (source.StartsWith("camera:", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(source.AsSpan("camera:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                throw new ArgumentException($"'{source}': a camera is named camera:N with N a number, e.g. camera:0.", nameof(source));
            capture = new VideoCapture(index);
            if (!capture.IsOpened())
            {
                capture.Dispose();
                throw new IOException($"Camera {index} ('{source}') could not be opened: no such device, or it is in use.");
            }
            return capture;
        }
        if (!File.Exists(source)) throw new FileNotFoundException($"Video '{source}' not found.", source);
        capture = new VideoCapture(source);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new InvalidDataException($"'{source}' is not a video OpenCV can decode (unknown container or codec, or a damaged file).");
        }
        return capture;
    }

    /// <summary>
    /// Reads <paramref name="source"/> and yields the faces of every <see cref="VideoOptions.Every"/>-th frame.
    /// <paramref name="onFrame"/>, if given, sees every frame read (also the skipped ones, with the last prediction), e.g.
    /// to draw boxes into an output video.
    /// </summary>
    public static IEnumerable<FramePrediction> Predict(EmotionRecognizer recognizer, string source, VideoOptions? options = null,
        Action<Mat, FramePrediction>? onFrame = null, CancellationToken cancellationToken = default)
    {
        // Checked here, not on the first MoveNext: a bad source or option fails at the call.
        ArgumentNullException.ThrowIfNull(recognizer);
        options ??= new VideoOptions();
        options.Validate();
        return PredictCore(recognizer, Open(source), source, options, onFrame, cancellationToken);
    }

    private static IEnumerable<FramePrediction> PredictCore(EmotionRecognizer recognizer, VideoCapture capture, string source,
        VideoOptions options, Action<Mat, FramePrediction>? onFrame, CancellationToken ct)
    {
        using var _ = capture;
        double fps = capture.Fps is > 0 and < 1000 ? capture.Fps : 0;
        using var frame = new Mat();
        FramePrediction? last = null;
        for (int index = 0; options.MaxFrames == 0 || index < options.MaxFrames; index++)
        {
            ct.ThrowIfCancellationRequested();
            if (!capture.Read(frame) || frame.Empty()) yield break;
            double time = fps > 0 ? index / fps : capture.PosMsec / 1000.0;
            if (index % options.Every == 0)
            {
                last = new FramePrediction(index, time, recognizer.Predict(frame, $"{source}#{index}").Faces);
                onFrame?.Invoke(frame, last);
                yield return last;
            }
            else
            {
                onFrame?.Invoke(frame, last! with { Frame = index, TimeSeconds = time });
            }
        }
    }
}

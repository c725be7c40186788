using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Mien.Inference.Tracking;
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
        FramePrediction? last = null;
        foreach (var (index, time, frame) in Frames(capture, options, ct))
        {
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

    /// <summary>The frames of <paramref name="capture"/> (disposed at the end) with their index and time, up to <see cref="VideoOptions.MaxFrames"/>; one reused <see cref="Mat"/>.</summary>
    private static IEnumerable<(int Index, double Time, Mat Frame)> Frames(VideoCapture capture, VideoOptions options, CancellationToken ct)
    {
        using var _ = capture;
        double fps = capture.Fps is > 0 and < 1000 ? capture.Fps : 0;
        using var frame = new Mat();
        for (int index = 0; options.MaxFrames == 0 || index < options.MaxFrames; index++)
        {
            ct.ThrowIfCancellationRequested();
            if (!capture.Read(frame) || frame.Empty()) yield break;
            yield return (index, fps > 0 ? index / fps : capture.PosMsec / 1000.0, frame);
        }
    }

    /// <summary>
    /// Reads <paramref name="source"/> and yields every <see cref="VideoOptions.Every"/>-th frame with its faces by track
    /// (<see cref="VideoTracker"/>): stable ids, raw and smoothed probabilities. <paramref name="onFrame"/> sees every
    /// frame read (the skipped ones with the last result), e.g. to write an annotated video. A stream that ends early
    /// (a truncated file) simply ends: compare <see cref="TrackedFrame.Frame"/> with the file's frame count to tell.
    /// </summary>
    public static IEnumerable<TrackedFrame> Track(EmotionRecognizer recognizer, string source, VideoOptions? options = null,
        TrackingOptions? tracking = null, Action<Mat, TrackedFrame>? onFrame = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recognizer);
        options ??= new VideoOptions();
        options.Validate();
        var tracker = new VideoTracker(recognizer, tracking); // validates the tracking options before the source opens
        VideoCapture capture;
        try { capture = Open(source); }
        catch
        {
            tracker.Dispose();
            throw;
        }
        return TrackCore(tracker, capture, options, onFrame, cancellationToken);
    }

    /// <summary>
    /// <see cref="Track"/> as an async stream: frames are read and classified on a worker thread, up to a few frames
    /// ahead of the consumer, so a web socket or UI awaits each frame instead of blocking. Stopping the enumeration
    /// (or cancelling) stops the reader and releases the file or camera.
    /// </summary>
    public static async IAsyncEnumerable<TrackedFrame> TrackAsync(EmotionRecognizer recognizer, string source, VideoOptions? options = null,
        TrackingOptions? tracking = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var frames = Track(recognizer, source, options, tracking, null, stop.Token); // a bad source throws here, at the first MoveNextAsync
        var channel = Channel.CreateBounded<TrackedFrame>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var f in frames) await channel.Writer.WriteAsync(f, stop.Token).ConfigureAwait(false);
                channel.Writer.Complete();
            }
            catch (Exception e) { channel.Writer.Complete(e); }
        }, CancellationToken.None);
        try
        {
            await foreach (var f in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return f;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false); // never throws: its failure went into the channel
        }
    }

    private static IEnumerable<TrackedFrame> TrackCore(VideoTracker tracker, VideoCapture capture, VideoOptions options,
        Action<Mat, TrackedFrame>? onFrame, CancellationToken ct)
    {
        using var _ = tracker;
        TrackedFrame? last = null;
        foreach (var (index, time, frame) in Frames(capture, options, ct))
        {
            if (index % options.Every == 0)
            {
                last = tracker.Process(frame, index, time);
                onFrame?.Invoke(frame, last);
                yield return last;
            }
            else
            {
                onFrame?.Invoke(frame, last! with { Frame = index, TimeSeconds = time, Cut = false });
            }
        }
    }
}

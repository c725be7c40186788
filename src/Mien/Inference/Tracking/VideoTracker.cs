using Mien.Faces;
using OpenCvSharp;

namespace Mien.Inference.Tracking;

/// <summary>
/// Frame by frame: cut detection, face detection every <see cref="TrackingOptions.DetectEvery"/>-th frame (the motion
/// model places the boxes in between), classification of every box, and per-track smoothing. Feed it frames in order
/// from any source (<see cref="VideoRecognizer.Track"/> reads files and cameras; a web socket can post frames).
/// One instance per stream; the recognizer may be shared.
/// </summary>
public sealed class VideoTracker : IDisposable
{
    private readonly EmotionRecognizer _recognizer;
    private readonly TrackingOptions _options;
    private readonly FaceTracker _tracker;
    private readonly CutDetector _cuts;
    private readonly Dictionary<int, EmotionSmoother> _smoothers = [];
    private int _sinceDetection = -1; // classified frames since the last detection; -1 = none yet

    /// <summary>A tracker over <paramref name="recognizer"/>, which it uses but does not own.</summary>
    public VideoTracker(EmotionRecognizer recognizer, TrackingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recognizer);
        _options = options ?? new TrackingOptions();
        _tracker = new FaceTracker(_options); // validates the options
        _recognizer = recognizer;
        _cuts = new CutDetector(_options.CutThreshold);
    }

    /// <summary>Tracks the faces of the next frame (BGR or grey, 8-bit) shown at <paramref name="timeSeconds"/>.</summary>
    public TrackedFrame Process(Mat frame, int frameIndex, double timeSeconds)
    {
        ArgumentNullException.ThrowIfNull(frame);
        bool cut = _cuts.IsCut(frame);
        if (cut)
        {
            _tracker.EndAll();
            _smoothers.Clear();
        }
        bool detect = cut || _sinceDetection < 0 || _sinceDetection + 1 >= _options.DetectEvery;
        IReadOnlyList<TrackedBox> boxes;
        FaceSource source;
        if (detect)
        {
            _sinceDetection = 0;
            var found = _recognizer.DetectFaces(frame, out source);
            boxes = _tracker.Update(found, timeSeconds);
        }
        else
        {
            _sinceDetection++;
            source = FaceSource.Tracked;
            var bounds = new Rect(0, 0, frame.Width, frame.Height);
            // A predicted box that left the picture has nothing to classify; one partly outside is cropped with edges replicated.
            boxes = _tracker.Predict(timeSeconds).Where(b => b.Box.Width > 0 && b.Box.Height > 0 && b.Box.ToRect().IntersectsWith(bounds)).ToList();
        }
        foreach (int id in _smoothers.Keys.Except(_tracker.LiveIds).ToList()) _smoothers.Remove(id);

        var faceBoxes = boxes.Select(b => b.Box).ToList();
        var predictions = faceBoxes.Count == 0 ? [] : _recognizer.PredictCrops(_recognizer.Crop(frame, faceBoxes), faceBoxes.Count);
        var classes = _recognizer.ClassNames;
        var faces = new List<TrackedFace>(boxes.Count);
        var raw = new float[classes.Count];
        for (int i = 0; i < boxes.Count; i++)
        {
            var p = predictions[i] with { Box = faceBoxes[i], FaceSource = source };
            for (int c = 0; c < raw.Length; c++) raw[c] = p.Probabilities[classes[c]];
            if (!_smoothers.TryGetValue(boxes[i].TrackId, out var smoother))
                _smoothers[boxes[i].TrackId] = smoother = new EmotionSmoother(_options.SmoothingSeconds);
            var smoothed = smoother.Update(raw, timeSeconds);
            var dict = new Dictionary<string, float>(classes.Count);
            for (int c = 0; c < classes.Count; c++) dict[classes[c]] = smoothed[c];
            faces.Add(new TrackedFace(boxes[i].TrackId, p, dict));
        }
        return new TrackedFrame(frameIndex, timeSeconds, faces, detect, cut);
    }

    /// <summary>Frees the cut detector's images.</summary>
    public void Dispose() => _cuts.Dispose();
}

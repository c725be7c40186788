using Mien.Faces;

namespace Mien.Inference.Tracking;

/// <summary>
/// Gives faces stable ids across frames: each detection continues the track whose predicted box it overlaps most
/// (IoU, or a near centre for fast or briefly missed faces), greedily, best pair first; the rest start new tracks.
/// Each track carries a constant-velocity motion model (an alpha-beta filter on the box centre), which both predicts
/// where to look at the next detection and places the box on frames where the detector is not run. Not thread-safe:
/// one tracker per stream.
/// </summary>
public sealed class FaceTracker
{
    // Alpha-beta gains: cascade boxes jitter by a few pixels, so the position follows a measurement closely and the
    // velocity only a fifth of the way; a box is extrapolated at most this long, so a lost face does not drift off.
    private const double Alpha = 0.8, Beta = 0.2, MaxExtrapolationSeconds = 0.5, MaxSizeRatio = 1.6;

    private readonly TrackingOptions _options;
    private readonly List<Track> _tracks = [];
    private int _nextId = 1;

    /// <summary>A tracker with no tracks yet; ids start at 1.</summary>
    public FaceTracker(TrackingOptions? options = null)
    {
        _options = options ?? new TrackingOptions();
        _options.Validate();
    }

    /// <summary>The ids of the tracks alive now (seen within <see cref="TrackingOptions.MaxMissedSeconds"/>), oldest first.</summary>
    public IReadOnlyList<int> LiveIds => _tracks.Select(t => t.Id).ToList();

    /// <summary>
    /// A detection step at <paramref name="timeSeconds"/>: one <see cref="TrackedBox"/> per detection, in the order
    /// given, carrying the detected box. Tracks missed for longer than <see cref="TrackingOptions.MaxMissedSeconds"/> end.
    /// </summary>
    public IReadOnlyList<TrackedBox> Update(IReadOnlyList<FaceBox> detections, double timeSeconds)
    {
        ArgumentNullException.ThrowIfNull(detections);
        var pairs = new List<(double Score, int Track, int Detection)>();
        for (int t = 0; t < _tracks.Count; t++)
        {
            // Where the motion model expects the face, or where it was last seen: after a miss (a turned head) the
            // face is often back near its old place while the extrapolated velocity has carried the prediction off.
            var predicted = _tracks[t].Predict(timeSeconds);
            for (int d = 0; d < detections.Count; d++)
            {
                double score = Math.Max(Score(predicted, detections[d]), Score(_tracks[t].LastBox, detections[d]));
                if (score > 0) pairs.Add((score, t, d));
            }
        }
        var trackOf = new int[detections.Count];
        Array.Fill(trackOf, -1);
        var taken = new bool[_tracks.Count];
        foreach (var (_, t, d) in pairs.OrderByDescending(p => p.Score).ThenBy(p => p.Track).ThenBy(p => p.Detection))
        {
            if (taken[t] || trackOf[d] >= 0) continue;
            taken[t] = true;
            trackOf[d] = t;
        }
        var result = new TrackedBox[detections.Count];
        for (int d = 0; d < detections.Count; d++)
            if (trackOf[d] >= 0)
            {
                _tracks[trackOf[d]].Correct(detections[d], timeSeconds);
                result[d] = new TrackedBox(_tracks[trackOf[d]].Id, detections[d]);
            }
        foreach (var t in _tracks.Where((_, i) => !taken[i])) t.Visible = false;
        _tracks.RemoveAll(t => timeSeconds - t.LastSeen > _options.MaxMissedSeconds);
        // New faces get ids left to right, so a clip's ids read in a predictable order.
        foreach (int d in Enumerable.Range(0, detections.Count).Where(d => trackOf[d] < 0).OrderBy(d => detections[d].X).ThenBy(d => detections[d].Y))
        {
            var track = new Track(_nextId++, detections[d], timeSeconds);
            _tracks.Add(track);
            result[d] = new TrackedBox(track.Id, detections[d]);
        }
        return result;
    }

    /// <summary>
    /// A frame without detection: where the motion model puts each face seen at the last detection step (tracks
    /// missed then are not shown). Boxes keep the last detection's score.
    /// </summary>
    public IReadOnlyList<TrackedBox> Predict(double timeSeconds) =>
        _tracks.Where(t => t.Visible).Select(t => new TrackedBox(t.Id, t.Predict(timeSeconds))).ToList();

    /// <summary>Ends every track (a cut: the next faces get new ids).</summary>
    public void EndAll() => _tracks.Clear();

    // > 0 when the detection may continue the track; IoU matches always outrank centre-distance matches.
    private double Score(FaceBox predicted, FaceBox detection)
    {
        double iou = Iou(predicted, detection);
        if (iou >= _options.MinIou) return iou;
        double size = (predicted.Width + predicted.Height) / 2.0;
        double dx = predicted.X + predicted.Width / 2.0 - (detection.X + detection.Width / 2.0);
        double dy = predicted.Y + predicted.Height / 2.0 - (detection.Y + detection.Height / 2.0);
        double distance = Math.Sqrt(dx * dx + dy * dy) / Math.Max(size, 1);
        double ratio = Math.Max(size, 1) / Math.Max((detection.Width + detection.Height) / 2.0, 1);
        if (distance > _options.MaxCentreDistance || ratio > MaxSizeRatio || ratio < 1 / MaxSizeRatio) return 0;
        return _options.MinIou * 0.999 * (1 - distance / (_options.MaxCentreDistance + 1e-9)) + 1e-9;
    }

    /// <summary>Intersection over union of two boxes (0 when they do not overlap).</summary>
    public static double Iou(FaceBox a, FaceBox b) => BoxGeometry.Iou(a, b);

    private sealed class Track(int id, FaceBox box, double time)
    {
        private double _cx = box.X + box.Width / 2.0, _cy = box.Y + box.Height / 2.0, _w = box.Width, _h = box.Height;
        private double _vx, _vy, _time = time;
        private double _score = box.Score;

        public int Id { get; } = id;
        public FaceBox LastBox { get; private set; } = box;
        public double LastSeen { get; private set; } = time;
        public bool Visible { get; set; } = true;

        public FaceBox Predict(double time)
        {
            double dt = Math.Clamp(time - _time, 0, MaxExtrapolationSeconds);
            double cx = _cx + _vx * dt, cy = _cy + _vy * dt;
            return new FaceBox((int)Math.Round(cx - _w / 2), (int)Math.Round(cy - _h / 2), (int)Math.Round(_w), (int)Math.Round(_h), _score);
        }

        public void Correct(FaceBox measured, double time)
        {
            double dt = Math.Clamp(time - _time, 0, MaxExtrapolationSeconds);
            double px = _cx + _vx * dt, py = _cy + _vy * dt;
            double rx = measured.X + measured.Width / 2.0 - px, ry = measured.Y + measured.Height / 2.0 - py;
            _cx = px + Alpha * rx;
            _cy = py + Alpha * ry;
            if (time - _time > 1e-6)
            {
                _vx += Beta * rx / (time - _time);
                _vy += Beta * ry / (time - _time);
            }
            _w += Alpha * (measured.Width - _w);
            _h += Alpha * (measured.Height - _h);
            _score = measured.Score;
            LastBox = measured;
            _time = LastSeen = time;
            Visible = true;
        }
    }
}

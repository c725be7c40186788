using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mien.IO;

namespace Mien.Inference.Tracking;

/// <summary>
/// Writes the emotion timeline of a video: one row per face per classified frame, with time, track id, box, how the
/// box was found, the smoothed emotion and both raw and smoothed probabilities. <c>.csv</c> or <c>.json</c> by the
/// file's extension. Rows are flushed frame by frame, so an interrupted run (a truncated file, Ctrl+C on a camera)
/// leaves every row written so far; the JSON document is closed by <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// CSV columns: <c>frame,time,track,x,y,width,height,found,emotion,confidence,raw_emotion,raw_confidence</c>, then
/// <c>raw_&lt;class&gt;</c> and <c>smoothed_&lt;class&gt;</c> per class. JSON: <c>{"classes": [...], "rows": [{"frame",
/// "time", "track", "box": {x, y, width, height}, "found", "emotion", "confidence", "raw_emotion", "raw_confidence",
/// "raw": {class: p}, "smoothed": {class: p}}]}</c>.
/// </remarks>
public sealed class TimelineWriter : IDisposable
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;
    private readonly IReadOnlyList<string> _classes;
    private readonly FileStream _file;
    private readonly StreamWriter? _csv;
    private readonly Utf8JsonWriter? _json;
    private bool _disposed;

    private TimelineWriter(string path, IReadOnlyList<string> classes)
    {
        _classes = classes;
        Path = path;
        bool json = System.IO.Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase);
        if (!json && !System.IO.Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"timeline '{path}': the file name must end in .csv or .json.", nameof(path));
        try { _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new MienException($"cannot write the timeline '{path}': {e.Message}", e); }
        if (json)
        {
            _json = new Utf8JsonWriter(_file, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            _json.WriteStartObject();
            _json.WriteStartArray("classes");
            foreach (var c in classes) _json.WriteStringValue(c);
            _json.WriteEndArray();
            _json.WriteStartArray("rows");
            _json.Flush();
        }
        else
        {
            _csv = new StreamWriter(_file, new UTF8Encoding(false)) { NewLine = "\n" };
            _csv.WriteLine(string.Join(',', Header(classes).Select(Quote)));
            _csv.Flush();
        }
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Creates (or overwrites) <paramref name="path"/>; the format follows its extension, .csv or .json.</summary>
    public static TimelineWriter Create(string path, IReadOnlyList<string> classNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(classNames);
        return new TimelineWriter(path, classNames);
    }

    /// <summary>The CSV header for these classes.</summary>
    public static IReadOnlyList<string> Header(IReadOnlyList<string> classNames) =>
        ["frame", "time", "track", "x", "y", "width", "height", "found", "emotion", "confidence", "raw_emotion", "raw_confidence",
         .. classNames.Select(c => "raw_" + c), .. classNames.Select(c => "smoothed_" + c)];

    /// <summary>Appends a frame's faces (nothing for a frame without faces) and flushes them to the file.</summary>
    public void Write(TrackedFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            foreach (var f in frame.Faces)
            {
                if (_csv is not null) WriteCsv(frame, f);
                else WriteJson(frame, f);
            }
            _csv?.Flush();
            _json?.Flush();
        }
        catch (IOException e) { throw new MienException($"cannot write the timeline '{Path}': {e.Message}", e); }
    }

    private void WriteCsv(TrackedFrame frame, TrackedFace f)
    {
        var b = f.Raw.Box;
        var cells = new List<string>
        {
            frame.Frame.ToString(Ci), frame.TimeSeconds.ToString("F3", Ci), f.TrackId.ToString(Ci), b.X.ToString(Ci), b.Y.ToString(Ci),
            b.Width.ToString(Ci), b.Height.ToString(Ci), f.Raw.FaceSource.Name(), Quote(f.Emotion), f.Confidence.ToString("F4", Ci),
            Quote(f.Raw.Emotion), f.Raw.Confidence.ToString("F4", Ci),
        };
        cells.AddRange(_classes.Select(c => f.Raw.Probabilities[c].ToString("F4", Ci)));
        cells.AddRange(_classes.Select(c => f.Smoothed[c].ToString("F4", Ci)));
        _csv!.WriteLine(string.Join(',', cells));
    }

    private void WriteJson(TrackedFrame frame, TrackedFace f)
    {
        var w = _json!;
        var b = f.Raw.Box;
        w.WriteStartObject();
        w.WriteNumber("frame", frame.Frame);
        w.WriteNumber("time", Math.Round(frame.TimeSeconds, 3));
        w.WriteNumber("track", f.TrackId);
        w.WriteStartObject("box");
        w.WriteNumber("x", b.X);
        w.WriteNumber("y", b.Y);
        w.WriteNumber("width", b.Width);
        w.WriteNumber("height", b.Height);
        w.WriteEndObject();
        w.WriteString("found", f.Raw.FaceSource.Name());
        w.WriteString("emotion", f.Emotion);
        w.WriteNumber("confidence", Math.Round(f.Confidence, 4));
        w.WriteString("raw_emotion", f.Raw.Emotion);
        w.WriteNumber("raw_confidence", Math.Round(f.Raw.Confidence, 4));
        w.WriteStartObject("raw");
        foreach (var c in _classes) w.WriteNumber(c, Math.Round(f.Raw.Probabilities[c], 4));
        w.WriteEndObject();
        w.WriteStartObject("smoothed");
        foreach (var c in _classes) w.WriteNumber(c, Math.Round(f.Smoothed[c], 4));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\n\r") < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Closes the JSON document and the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (_json is not null)
            {
                _json.WriteEndArray();
                _json.WriteEndObject();
                _json.Dispose();
            }
            _csv?.Dispose();
        }
        finally { _file.Dispose(); }
    }
}

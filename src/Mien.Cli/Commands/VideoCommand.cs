using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Mien.Faces;
using Mien.Inference;
using Mien.IO;
using Mien.Reporting;
using OpenCvSharp;

namespace Mien.Cli.Commands;

/// <summary><c>mien video</c>: emotions frame by frame in a video file or a webcam stream.</summary>
internal static class VideoCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "A video file (anything FFmpeg reads: .mp4, .avi, .mkv, ...) or camera:N for webcam N (camera:0 = default)." };
        var format = new Option<string>("--format", "-f") { Description = "table, jsonl or csv (one row per face, or per frame without faces).", DefaultValueFactory = _ => "table" };
        var every = new Option<int>("--every") { Description = "Classify every n-th frame (others are only copied to --annotate).", DefaultValueFactory = _ => 1 };
        var maxFrames = new Option<int>("--max-frames") { Description = "Stop after this many frames (0 = all; a camera runs until Ctrl+C)." };
        // A file here, where predict's --annotate is a folder: a video becomes one video. HelpName says which in both helps.
        var annotate = new Option<string?>("--annotate") { Description = "Write the video with boxes and labels drawn to this file (.avi: MJPG; .mp4: MPEG-4).", HelpName = "file" };
        var cmd = new Command("video", "Find the faces in each frame of a video or webcam stream and say what each one feels.");
        cmd.Arguments.Add(source);
        var rec = new RecognizerArguments();
        rec.AddTo(cmd);
        foreach (var o in new Option[] { format, every, maxFrames, annotate }) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            string fmt = r.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("table" or "jsonl" or "csv")) throw new ArgumentException($"--format '{fmt}': use table, jsonl or csv.");
            string? annotatePath = OutputPaths.FileFolder(r.GetValue(annotate), "--annotate");
            using var recognizer = rec.Load(r);
            string src = r.GetValue(source)!;
            var videoOptions = new VideoOptions { Every = r.GetValue(every), MaxFrames = r.GetValue(maxFrames) };

            VideoWriter? writer = null;
            var classes = recognizer.ClassNames;
            var ci = CultureInfo.InvariantCulture;
            var csv = new CsvRows(["frame", "time", "face", "x", "y", "width", "height", "emotion", "confidence", .. classes, "found"]);
            if (fmt == "csv") Console.Write(csv.Header());
            int frames = 0, processed = 0, faces = 0;
            var tally = classes.ToDictionary(k => k, _ => 0);
            // The output keeps a file's frame rate; a camera (opened only once: it may refuse a second reader) gets 25.
            double outputFps = 25;
            if (annotatePath is not null && !src.StartsWith("camera:", StringComparison.OrdinalIgnoreCase))
                using (var probe = VideoRecognizer.Open(src)) outputFps = probe.Fps is > 0 and < 1000 ? probe.Fps : 25;
            var sw = Stopwatch.StartNew();
            try
            {
                foreach (var p in VideoRecognizer.Predict(recognizer, src, videoOptions, (frame, prediction) =>
                {
                    frames++;
                    if (annotatePath is null) return;
                    writer ??= OpenWriter(annotatePath, outputFps, frame.Size());
                    using var drawn = ImageAnnotator.Annotate(frame, new ImagePrediction(src, frame.Width, frame.Height, prediction.Faces));
                    writer.Write(drawn);
                }, c))
                {
                    processed++;
                    faces += p.Faces.Count;
                    foreach (var f in p.Faces) tally[f.Emotion]++;
                    switch (fmt)
                    {
                        case "jsonl":
                            Console.WriteLine(PredictionRecords.ToJson(PredictionRecords.Of(p)));
                            break;
                        case "csv":
                            var rows = new List<IReadOnlyList<string?>>();
                            if (p.Faces.Count == 0) rows.Add([p.Frame.ToString(ci), p.TimeSeconds.ToString("F3", ci), .. Enumerable.Repeat<string?>(null, csv.Columns.Count - 2)]);
                            for (int i = 0; i < p.Faces.Count; i++)
                            {
                                var f = p.Faces[i];
                                rows.Add([p.Frame.ToString(ci), p.TimeSeconds.ToString("F3", ci), (i + 1).ToString(ci), f.Box.X.ToString(ci), f.Box.Y.ToString(ci),
                                    f.Box.Width.ToString(ci), f.Box.Height.ToString(ci), f.Emotion, f.Confidence.ToString("F4", ci), .. classes.Select(k => f.Probabilities[k].ToString("F4", ci)), f.FaceSource.Name()]);
                            }
                            Console.Write(csv.Rows(rows));
                            break;
                        default:
                            string what = p.Faces.Count == 0 ? "no face" : string.Join("; ", p.Faces.Select(f => $"{f.Emotion} {f.Confidence:P0} at {f.Box.X},{f.Box.Y} {f.Box.Width}x{f.Box.Height}{(f.FaceSource == FaceSource.Detected ? "" : $" ({f.FaceSource.Name()})")}"));
                            Console.WriteLine($"frame {p.Frame,6}  {p.TimeSeconds,8:F2} s  {what}");
                            break;
                    }
                }
            }
            finally
            {
                writer?.Dispose();
            }
            // VideoWriter.Write reports nothing: a full disk or a vanished folder shows only as a missing or empty file.
            if (writer is not null && (!File.Exists(annotatePath) || new FileInfo(annotatePath!).Length == 0))
                throw new MienException($"the annotated video '{annotatePath}' was not written (is the disk full or the folder gone?).");
            double seconds = sw.Elapsed.TotalSeconds;
            string shares = faces == 0 ? "" : "; top emotions: " + string.Join(", ", tally.Where(t => t.Value > 0).OrderByDescending(t => t.Value).Select(t => $"{t.Key} {100.0 * t.Value / faces:F0}%"));
            Console.Error.WriteLine($"{frames} frames read, {processed} classified, {faces} faces ({processed / Math.Max(seconds, 1e-9):F1} classified frames/s){shares}" +
                                    (annotatePath is null ? "" : $"; annotated video: {annotatePath}"));
            if (frames == 0) throw new InvalidDataException($"'{src}': no frame could be read.");
            return 0;
        }, ct));
        return cmd;
    }

    private static VideoWriter OpenWriter(string path, double fps, Size size)
    {
        var fourcc = Path.GetExtension(path).ToLowerInvariant() == ".mp4" ? FourCC.MP4V : FourCC.MJPG;
        var writer = new VideoWriter(path, fourcc, fps, size);
        if (!writer.IsOpened())
        {
            writer.Dispose();
            throw new MienException($"cannot write the --annotate video '{path}' (use .avi or .mp4, in a writable folder).");
        }
        return writer;
    }
}

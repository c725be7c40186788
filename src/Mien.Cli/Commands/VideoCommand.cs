using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Mien.Inference;
using Mien.Inference.Tracking;
using Mien.IO;
using Mien.Reporting;
using OpenCvSharp;

namespace Mien.Cli.Commands;

/// <summary><c>mien video</c>: emotions over time, per face track, in a video file or a webcam stream.</summary>
internal static class VideoCommand
{
    public static Command Create()
    {
        var d = new TrackingOptions();
        var source = new Argument<string>("source") { Description = "A video file (anything FFmpeg reads: .mp4, .avi, .mkv, ...) or camera:N for webcam N (camera:0 = default)." };
        var format = new Option<string>("--format", "-f") { Description = "table, jsonl or csv (one row per face with its track id, or per frame without faces; the model's raw values).", DefaultValueFactory = _ => "table" };
        var every = new Option<int>("--every") { Description = "Classify every n-th frame (others are only copied to --annotate).", DefaultValueFactory = _ => 1 };
        var maxFrames = new Option<int>("--max-frames") { Description = "Stop after this many frames (0 = all; a camera runs until Ctrl+C)." };
        // A file here, where predict's --annotate is a folder: a video becomes one video. HelpName says which in both helps.
        var annotate = new Option<string?>("--annotate") { Description = "Write the video with track ids, boxes and a bar per emotion drawn to this file (.avi: MJPG; .mp4: MPEG-4).", HelpName = "file" };
        var timeline = new Option<string?>("--timeline") { Description = "Write the emotion timeline to this file, .csv or .json: per face and frame its time, track, box, raw and smoothed probabilities.", HelpName = "file" };
        var report = new Option<string?>("--report") { Description = "Write an HTML report to this file: share of time per emotion per person, and a timeline plot per track.", HelpName = "file" };
        var detectEvery = new Option<int>("--detect-every") { Description = "Run the face detector on every n-th classified frame; in between, boxes follow each track's motion model.", DefaultValueFactory = _ => d.DetectEvery };
        var smoothing = new Option<double>("--smoothing") { Description = "Time constant of each track's moving average over its probabilities, in seconds (0 = raw).", DefaultValueFactory = _ => d.SmoothingSeconds };
        var cutThreshold = new Option<double>("--cut-threshold") { Description = "A frame differing from the last by more than this (mean grey level, 0-255) is a cut: every track ends (0 = never).", DefaultValueFactory = _ => d.CutThreshold };
        var maxMissed = new Option<double>("--max-missed") { Description = "A track the detector has not seen for this many seconds ends; the face gets a new id if it returns.", DefaultValueFactory = _ => d.MaxMissedSeconds };
        var cmd = new Command("video", "Follow the faces of a video or webcam stream and say what each one feels over time.");
        cmd.Arguments.Add(source);
        var rec = new RecognizerArguments();
        rec.AddTo(cmd);
        foreach (var o in new Option[] { format, every, maxFrames, annotate, timeline, report, detectEvery, smoothing, cutThreshold, maxMissed }) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            string fmt = r.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("table" or "jsonl" or "csv")) throw new ArgumentException($"--format '{fmt}': use table, jsonl or csv.");
            string? annotatePath = OutputPaths.FileFolder(r.GetValue(annotate), "--annotate");
            string? timelinePath = OutputPaths.FileFolder(r.GetValue(timeline), "--timeline");
            string? reportPath = OutputPaths.FileFolder(r.GetValue(report), "--report");
            if (timelinePath is not null && Path.GetExtension(timelinePath).ToLowerInvariant() is not (".csv" or ".json"))
                throw new ArgumentException($"--timeline '{timelinePath}': the file name must end in .csv or .json.");
            var videoOptions = new VideoOptions { Every = r.GetValue(every), MaxFrames = r.GetValue(maxFrames) };
            var tracking = new TrackingOptions
            {
                DetectEvery = r.GetValue(detectEvery), SmoothingSeconds = r.GetValue(smoothing),
                CutThreshold = r.GetValue(cutThreshold), MaxMissedSeconds = r.GetValue(maxMissed),
            };
            string src = r.GetValue(source)!;
            bool camera = src.StartsWith("camera:", StringComparison.OrdinalIgnoreCase);
            // A file is probed for its frame rate (kept by --annotate, and the real-time factor) and its frame count
            // (the progress bar, and telling a truncated file from a whole one). A camera may refuse a second reader.
            double sourceFps = 0;
            int declaredFrames = 0;
            if (!camera)
                using (var probe = VideoRecognizer.Open(src))
                {
                    sourceFps = probe.Fps is > 0 and < 1000 ? probe.Fps : 0;
                    declaredFrames = Math.Max(0, probe.FrameCount);
                }
            using var recognizer = rec.Load(r);

            VideoWriter? writer = null;
            TimelineWriter? timelineWriter = null;
            var classes = recognizer.ClassNames;
            var ci = CultureInfo.InvariantCulture;
            var csv = new CsvRows(["frame", "time", "track", "x", "y", "width", "height", "emotion", "confidence", .. classes, "found"]);
            if (fmt == "csv") Console.Write(csv.Header());
            int frames = 0, processed = 0, faces = 0;
            var tally = classes.ToDictionary(k => k, _ => 0);
            var collected = new TrackTimeline(classes);
            int expected = camera ? 0 : videoOptions.MaxFrames == 0 ? declaredFrames : declaredFrames == 0 ? videoOptions.MaxFrames : Math.Min(videoOptions.MaxFrames, declaredFrames);
            var progress = new VideoProgress(expected);
            var sw = Stopwatch.StartNew();
            try
            {
                timelineWriter = timelinePath is null ? null : TimelineWriter.Create(timelinePath, classes);
                foreach (var p in VideoRecognizer.Track(recognizer, src, videoOptions, tracking, (frame, tracked) =>
                {
                    frames++;
                    progress.Update(frames, sw.Elapsed, sourceFps);
                    if (annotatePath is null) return;
                    writer ??= OpenWriter(annotatePath, sourceFps > 0 ? sourceFps : 25, frame.Size());
                    using var drawn = TrackAnnotator.Annotate(frame, tracked);
                    writer.Write(drawn);
                }, c))
                {
                    processed++;
                    faces += p.Faces.Count;
                    collected.Add(p);
                    timelineWriter?.Write(p);
                    foreach (var f in p.Faces) tally[f.Emotion]++;
                    switch (fmt)
                    {
                        case "jsonl":
                            Console.WriteLine(PredictionRecords.ToJson(new FrameRecord(p.Frame, Math.Round(p.TimeSeconds, 3), p.Faces.Select(f => PredictionRecords.Of(f.Raw)).ToList())));
                            break;
                        case "csv":
                            var rows = new List<IReadOnlyList<string?>>();
                            if (p.Faces.Count == 0) rows.Add([p.Frame.ToString(ci), p.TimeSeconds.ToString("F3", ci), .. Enumerable.Repeat<string?>(null, csv.Columns.Count - 2)]);
                            foreach (var t in p.Faces)
                            {
                                var f = t.Raw;
                                rows.Add([p.Frame.ToString(ci), p.TimeSeconds.ToString("F3", ci), t.TrackId.ToString(ci), f.Box.X.ToString(ci), f.Box.Y.ToString(ci),
                                    f.Box.Width.ToString(ci), f.Box.Height.ToString(ci), f.Emotion, f.Confidence.ToString("F4", ci), .. classes.Select(k => f.Probabilities[k].ToString("F4", ci)), f.FaceSource.Name()]);
                            }
                            Console.Write(csv.Rows(rows));
                            break;
                        default:
                            string what = p.Faces.Count == 0 ? "no face" : string.Join("; ", p.Faces.Select(t => $"#{t.TrackId} {t.Emotion} {t.Confidence:P0} (raw {t.Raw.Emotion} {t.Raw.Confidence:P0}) at {t.Raw.Box.X},{t.Raw.Box.Y} {t.Raw.Box.Width}x{t.Raw.Box.Height}{(t.Raw.FaceSource == FaceSource.Detected ? "" : $" ({t.Raw.FaceSource.Name()})")}"));
                            Console.WriteLine($"frame {p.Frame,6}  {p.TimeSeconds,8:F2} s  {(p.Cut ? "cut  " : "")}{what}");
                            break;
                    }
                }
            }
            finally
            {
                // Whatever stopped the run (the end, Ctrl+C, a decoding error), what was written so far is kept and closed.
                progress.Finish();
                writer?.Dispose();
                timelineWriter?.Dispose();
                if (reportPath is not null && processed > 0) VideoReport.Write(reportPath, src, collected, frames, sw.Elapsed, sourceFps);
            }
            // VideoWriter.Write reports nothing: a full disk or a vanished folder shows only as a missing or empty file.
            if (writer is not null && (!File.Exists(annotatePath) || new FileInfo(annotatePath!).Length == 0))
                throw new MienException($"the annotated video '{annotatePath}' was not written (is the disk full or the folder gone?).");
            double seconds = sw.Elapsed.TotalSeconds;
            string shares = faces == 0 ? "" : "; top emotions: " + string.Join(", ", tally.Where(t => t.Value > 0).OrderByDescending(t => t.Value).Select(t => $"{t.Key} {100.0 * t.Value / faces:F0}%"));
            string speed = $"{frames / Math.Max(seconds, 1e-9):F1} frames/s, {processed / Math.Max(seconds, 1e-9):F1} classified frames/s" +
                           (sourceFps > 0 ? $", {frames / sourceFps / Math.Max(seconds, 1e-9):F2}x real time" : "");
            Console.Error.WriteLine($"{frames} frames read, {processed} classified, {faces} faces, {collected.TrackIds.Count} tracks, {collected.Cuts} cuts ({speed}){shares}" +
                                    (annotatePath is null ? "" : $"; annotated video: {annotatePath}") + (timelinePath is null ? "" : $"; timeline: {timelinePath}") +
                                    (reportPath is null || processed == 0 ? "" : $"; report: {reportPath}"));
            if (frames == 0) throw new InvalidDataException($"'{src}': no frame could be read (an empty or damaged video).");
            // A camera runs until Ctrl+C (or --max-frames): one that stops delivering frames was unplugged or taken.
            if (camera && (videoOptions.MaxFrames == 0 || frames < videoOptions.MaxFrames))
            {
                Console.Error.WriteLine($"warning: camera '{src}' stopped delivering frames after {frames}; the results of those frames are kept.");
                return CliErrors.PartlyFailed;
            }
            // Containers state their frame count; a stream that stops well short of it was cut off. The frames before are kept.
            if (videoOptions.MaxFrames == 0 && declaredFrames > 0 && frames < declaredFrames * 0.99 - 1)
            {
                Console.Error.WriteLine($"warning: '{src}' ended after {frames} of its {declaredFrames} frames (truncated or damaged); the results of those frames are kept.");
                return CliErrors.PartlyFailed;
            }
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

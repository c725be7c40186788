using System.Diagnostics;
using Mien.Inference;
using Mien.Inference.Tracking;
using OpenCvSharp;
using TorchSharp;

namespace Mien.Bench;

/// <summary>
/// Video throughput end to end (decode + cut check + detect + crop + classify + track + smooth, i.e.
/// <see cref="VideoRecognizer.Track"/>) at several frame sizes and detection intervals, and the real-time factor
/// against the clip's own frame rate. The clip is a real one (Megamind.avi, four shots) scaled to each size, centred on black.
/// </summary>
internal static class VideoBench
{
    public static int Run(Args a)
    {
        string work = a.Get("work"), outPath = a.Get("out"), source = a.Get("video"), modelPath = a.Get("model", "models/mien-default.mien");
        var sizes = a.Get("sizes", "640x480,1280x720").Split(',').Select(s => s.Split('x').Select(int.Parse).ToArray()).Select(s => new Size(s[0], s[1])).ToList();
        var intervals = a.Get("detect-every", "1,3").Split(',').Select(int.Parse).ToArray();
        int repeats = a.Int("repeats", 3), maxFrames = a.Int("frames", 0);
        torch.set_num_threads(a.Int("threads", Environment.ProcessorCount));
        Environment.SetEnvironmentVariable("MIEN_CACHE_DIR", Path.Combine(work, "precision-cache"));
        Directory.CreateDirectory(work);
        string loadBefore = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";

        using var recognizer = File.Exists(modelPath) ? EmotionRecognizer.Load(modelPath) : EmotionRecognizer.LoadDefault();
        var results = new List<object>();
        foreach (var size in sizes)
        {
            string clip = Path.Combine(work, $"video-{size.Width}x{size.Height}.avi");
            double fps = Transcode(source, clip, size);
            // Warm-up: the model's first prediction compiles it.
            foreach (var _ in VideoRecognizer.Track(recognizer, clip, new VideoOptions { MaxFrames = 5 })) { }
            var stages = Stages(recognizer, clip, maxFrames);
            foreach (int every in intervals)
            {
                var rates = new List<double>();
                var cpuMs = new List<double>();
                int frames = 0, faces = 0, tracks = 0;
                for (int r = 0; r < repeats; r++)
                {
                    // CPU time too: on a shared machine wall-clock rates measure the neighbours; CPU ms per frame much less so.
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var sw = Stopwatch.StartNew();
                    var run = VideoRecognizer.Track(recognizer, clip, new VideoOptions { MaxFrames = maxFrames }, new TrackingOptions { DetectEvery = every }).ToList();
                    rates.Add(run.Count / sw.Elapsed.TotalSeconds);
                    cpuMs.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / run.Count);
                    frames = run.Count;
                    faces = run.Sum(f => f.Faces.Count);
                    tracks = run.SelectMany(f => f.Faces).Select(f => f.TrackId).Distinct().Count();
                }
                var stat = Stat.Of(rates);
                var cpuStat = Stat.Of(cpuMs);
                Console.Error.WriteLine($"video {size.Width}x{size.Height} detect every {every}: {stat.Median:F1} frames/s (median of {repeats}), {cpuStat.Median:F1} CPU ms/frame, " +
                                        $"{stat.Median / fps:F2}x real time at {fps:F2} fps; {frames} frames, {faces} faces, {tracks} tracks");
                results.Add(new { width = size.Width, height = size.Height, detectEvery = every, sourceFps = fps, frames, faces, tracks, stages,
                                  framesPerSecond = stat, cpuMillisecondsPerFrame = cpuStat, realTimeFactor = stat.Median / fps });
            }
        }
        Args.WriteJson(outPath, new
        {
            video = source, model = File.Exists(modelPath) ? modelPath : "bundled", repeats, threads = torch.get_num_threads(), command = a.Line,
            loadAverageBefore = loadBefore, loadAverageAfter = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "",
            results,
        });
        return 0;
    }

    // Where a frame's time goes: decoding alone (ms per frame over the clip), then detection and crop + classify on
    // 30 decoded frames (median ms; classification only on frames with a face).
    private static object Stages(EmotionRecognizer recognizer, string clip, int maxFrames)
    {
        var sw = Stopwatch.StartNew();
        int n = 0;
        var kept = new List<Mat>();
        using (var capture = VideoRecognizer.Open(clip))
        using (var frame = new Mat())
            while ((maxFrames == 0 || n < maxFrames) && capture.Read(frame) && !frame.Empty())
            {
                n++;
                if (n % 3 == 0 && kept.Count < 30) kept.Add(frame.Clone());
            }
        double decodeMs = sw.Elapsed.TotalMilliseconds / Math.Max(1, n);
        int i = 0;
        var detect = Timing.Latency(3, kept.Count, () => recognizer.DetectFaces(kept[i++ % kept.Count]));
        var withFaces = kept.Select(k => (Frame: k, Boxes: recognizer.DetectFaces(k))).Where(k => k.Boxes.Count > 0).ToList();
        Stat? classify = null;
        if (withFaces.Count > 0)
        {
            i = 0;
            classify = Timing.Latency(3, withFaces.Count, () => { var (f, b) = withFaces[i++ % withFaces.Count]; recognizer.PredictCrops(recognizer.Crop(f, b), b.Count); });
        }
        foreach (var k in kept) k.Dispose();
        Console.Error.WriteLine($"  stages: decode {decodeMs:F1} ms/frame, detect {detect.Median:F1} ms, crop+classify {classify?.Median ?? 0:F1} ms (medians)");
        return new { decodeMs, detectMs = detect, cropClassifyMs = classify };
    }

    // Every frame scaled to fit the size (aspect kept) on black, written as MJPG (cheap to decode, like a webcam's stream).
    private static double Transcode(string source, string target, Size size)
    {
        using var capture = VideoRecognizer.Open(source);
        double fps = capture.Fps is > 0 and < 1000 ? capture.Fps : 25;
        using var writer = new VideoWriter(target, FourCC.MJPG, fps, size);
        if (!writer.IsOpened()) throw new InvalidDataException($"cannot write '{target}'.");
        using var frame = new Mat();
        using var canvas = new Mat(size, MatType.CV_8UC3);
        while (capture.Read(frame) && !frame.Empty())
        {
            double scale = Math.Min((double)size.Width / frame.Width, (double)size.Height / frame.Height);
            int w = (int)Math.Round(frame.Width * scale), h = (int)Math.Round(frame.Height * scale);
            using var resized = frame.Resize(new Size(w, h), 0, 0, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Cubic);
            canvas.SetTo(OpenCvSharp.Scalar.Black);
            using (var roi = new Mat(canvas, new Rect((size.Width - w) / 2, (size.Height - h) / 2, w, h))) resized.CopyTo(roi);
            writer.Write(canvas);
        }
        return fps;
    }
}

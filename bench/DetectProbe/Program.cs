// Face detector probe (not part of Mien.sln): detection time of haar-alt and tiny on one photo letterboxed into 640x480
// (args: photo [threads] [photo scale]), or --fer DATA N: faces found, box framing against the dataset crop and emotion
// accuracy through each detector on N FER2013 test faces; or --end-to-end DATA N SIDE...: what `mien predict` reads from
// dataset faces set in 640x480 frames, per detector (PROBE_DETECTORS, PROBE_MIN_SCORE); or --frame VIDEO N OUT DETECTOR
// [MIN_SCORE]: one frame with the boxes drawn. Results: docs/BENCHMARKS.md, "Face detectors" and "Face detectors end to end".
using System.Diagnostics;
using Mien.Faces;
using OpenCvSharp;

// Detection probe: time and boxes of Mien's detectors on one photo letterboxed into 640x480, as the latency bench does.
if (args.Length > 0 && args[0] == "--fer") { FerStudy(args[1], int.Parse(args[2])); return; }
if (args.Length > 0 && args[0] == "--frame")
{
    // --frame VIDEO N OUT.png DETECTOR: frame N with the detector's boxes drawn, to look at what it found.
    using var cap = new VideoCapture(args[1]);
    using var frame = new Mat();
    for (int i = 0; i <= int.Parse(args[2]); i++) cap.Read(frame);
    using var d = FaceDetectors.Create(new FaceDetectorOptions { Detector = args[4], MinScore = args.Length > 5 ? float.Parse(args[5]) : null });
    foreach (var b in d.Detect(frame)) { Cv2.Rectangle(frame, b.ToRect(), Scalar.Red, 2); Console.WriteLine(b); }
    Cv2.ImWrite(args[3], frame);
    return;
}
if (args.Length > 0 && args[0] == "--end-to-end") { EndToEnd(args[1], int.Parse(args[2]), args.Skip(3).Select(int.Parse).ToArray()); return; }
string photo = args.Length > 0 ? args[0] : "../shared/data/photos/astronaut.png";
int threads = args.Length > 1 ? int.Parse(args[1]) : 2;
TorchSharp.torch.set_num_threads(threads);
Cv2.SetNumThreads(threads);
using var src = Cv2.ImRead(photo, ImreadModes.Color);
using var canvas = new Mat(480, 640, MatType.CV_8UC3, new Scalar(128, 128, 128));
double f = Math.Min(640.0 / src.Width, 480.0 / src.Height) * (args.Length > 2 ? double.Parse(args[2]) : 1);
using var scaled = src.Resize(new Size((int)(src.Width * f), (int)(src.Height * f)));
scaled.CopyTo(canvas[new Rect((640 - scaled.Width) / 2, (480 - scaled.Height) / 2, scaled.Width, scaled.Height)]);
var variants = new List<FaceDetectorOptions> { new() { Detector = "haar-alt" } };
foreach (int m in new[] { 48, 64, 80 }) variants.Add(new() { Detector = "tiny", MinFaceSize = m });
foreach (var o in variants)
{
    using var d = FaceDetectors.Create(o);
    for (int i = 0; i < 10; i++) d.Detect(canvas);
    var t = new List<double>(); IReadOnlyList<FaceBox> found = [];
    for (int i = 0; i < 60; i++) { var sw = Stopwatch.StartNew(); found = d.Detect(canvas); t.Add(sw.Elapsed.TotalMilliseconds); }
    t.Sort();
    Console.WriteLine($"{o.Detector,-9} min face {o.MinFaceSize,3} threads {threads}: median {t[30],6:F2} ms p95 {t[56],6:F2} ms  {string.Join(" ", found.Select(b => $"[{b.X},{b.Y},{b.Width},{b.Height} {b.Score:F2}]"))}");
}

// What a user gets: each face of a dataset (its test split, or all of it when it has none) enlarged to SIDE px and set in
// a 640x480 frame of its own edge pixels, off-centre, through `mien predict`'s path (fallbacks on), per detector: the
// share of faces whose largest predicted face has the right emotion (no face counts as wrong), and the faces found.
static void EndToEnd(string data, int count, int[] sides)
{
    var ds = Mien.Data.DatasetLoader.Load(data).WithoutClasses(["contempt"]);
    var pool = ds.IndicesOfSplit("test") is { Length: > 0 } t ? t : Enumerable.Range(0, ds.Count).ToArray();
    var idx = pool.Where((_, i) => i % Math.Max(1, pool.Length / count) == 0).Take(count).ToArray();
    foreach (int side in sides)
    foreach (var det in (Environment.GetEnvironmentVariable("PROBE_DETECTORS") ?? "haar-alt,tiny,tiny+haar-alt").Split(','))
    {
        using var recognizer = new Mien.Inference.EmotionRecognizer(Mien.Inference.DefaultModel.Load(Mien.Models.InferencePrecision.Float32), new Mien.Inference.RecognizerOptions { Detector = new FaceDetectorOptions { Detector = det, MinScore = float.TryParse(Environment.GetEnvironmentVariable("PROBE_MIN_SCORE"), out var ms0) ? ms0 : null } });
        int right = 0, found = 0, padded = 0, whole = 0;
        var ms = new List<double>();
        foreach (int i in idx)
        {
            int s = ds.Width;
            using var face = new Mat(s, s, MatType.CV_8UC1);
            System.Runtime.InteropServices.Marshal.Copy(ds.Image(i).ToArray(), 0, face.Data, s * s);
            using var big = face.Resize(new Size(side, side), 0, 0, InterpolationFlags.Cubic);
            using var canvas = new Mat();
            int left = (640 - side) / 3, top = (480 - side) / 2;
            Cv2.CopyMakeBorder(big, canvas, top, 480 - side - top, left, 640 - side - left, BorderTypes.Replicate);
            var sw = Stopwatch.StartNew();
            var p = recognizer.Predict(canvas);
            ms.Add(sw.Elapsed.TotalMilliseconds);
            if (p.Faces.Count == 0) continue;
            var top1 = p.Faces.OrderByDescending(f => f.Box.Width).First();
            found++;
            if (top1.FaceSource == Mien.Inference.FaceSource.Padded) padded++;
            if (top1.FaceSource == Mien.Inference.FaceSource.WholeImage) whole++;
            if (top1.Emotion == ds.ClassNames[ds.Labels[i]]) right++;
        }
        ms.Sort();
        Console.WriteLine($"{Path.GetFileName(data)} face {side,3} px  {det,-8}: right {(double)right / idx.Length,6:P1}  found {found}/{idx.Length} (padded {padded}, whole {whole})  median {ms[ms.Count / 2]:F1} ms");
    }
}

// FER2013 faces upscaled 3x (144 px) in the middle of a 288x288 canvas (edges replicated): which detectors find them, and
// where their boxes sit against the dataset's own crop (the framing the emotion model learnt).
static void FerStudy(string data, int count)
{
    var ds = Mien.Data.DatasetLoader.Load(data);
    var idx = ds.IndicesOfSplit("test").Where((_, i) => i % Math.Max(1, ds.IndicesOfSplit("test").Length / count) == 0).Take(count).ToArray();
    foreach (var o in new FaceDetectorOptions[] { new() { Detector = "haar-alt" }, new() { Detector = "tiny" } })
    {
        using var d = FaceDetectors.Create(o);
        // The recognizer owns (and disposes) its model.
        using var recognizer = new Mien.Inference.EmotionRecognizer(Mien.Inference.DefaultModel.Load(Mien.Models.InferencePrecision.Float32), new Mien.Inference.RecognizerOptions { Detector = o, FallbackWhenNoFace = false });
        int right = 0, scored = 0, rightOnFerCrop = 0;
        var dx = new List<double>(); var dy = new List<double>(); var sc = new List<double>(); var asp = new List<double>(); int one = 0, none = 0, more = 0;
        foreach (int i in idx)
        {
            using var face = new Mat(48, 48, MatType.CV_8UC1);
            System.Runtime.InteropServices.Marshal.Copy(ds.Image(i).ToArray(), 0, face.Data, 48 * 48);
            using var big = face.Resize(new Size(144, 144), 0, 0, InterpolationFlags.Cubic);
            using var canvas = new Mat();
            Cv2.CopyMakeBorder(big, canvas, 72, 72, 72, 72, BorderTypes.Replicate);
            var boxes = d.Detect(canvas);
            if (boxes.Count == 0) { none++; continue; }
            if (boxes.Count > 1) more++;
            one++;
            var p = recognizer.Predict(canvas);
            if (p.Faces.Count > 0)
            {
                scored++;
                if (p.Faces.OrderByDescending(f => f.Box.Width).First().Emotion == ds.ClassNames[ds.Labels[i]]) right++;
                var direct = recognizer.PredictCrops(ds.Image(i), 1)[0];
                if (direct.Emotion == ds.ClassNames[ds.Labels[i]]) rightOnFerCrop++;
            }
            var b = boxes.OrderByDescending(x => x.Width * x.Height).First();
            double side = Math.Max(b.Width, b.Height);
            dx.Add((144 - (b.X + b.Width / 2.0)) / side); dy.Add((144 - (b.Y + b.Height / 2.0)) / side); sc.Add(144 / 1.04 / side); asp.Add((double)b.Height / b.Width);
        }
        static double Med(List<double> v) { if (v.Count == 0) return double.NaN; v.Sort(); return v[v.Count / 2]; }
        static double Q(List<double> v, double q) { if (v.Count == 0) return double.NaN; v.Sort(); return v[(int)(q * (v.Count - 1))]; }
        Console.WriteLine($"{o.Detector} input {o.NetworkInputSize}: found {one}/{idx.Length} ({more} with >1 box), none {none}; to the FER crop: dx {Med(dx):F3} dy {Med(dy):F3} (q25 {Q(dy, .25):F3} q75 {Q(dy, .75):F3}) scale {Med(sc):F3} (q25 {Q(sc, .25):F3} q75 {Q(sc, .75):F3}) h/w {Med(asp):F3}; emotion accuracy on its crops {(double)right / scored:P1} vs {(double)rightOnFerCrop / scored:P1} on the dataset's crops of the same {scored} faces");
    }
}

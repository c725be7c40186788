// Face detector probe (not part of Mien.sln): detection time of haar-alt and tiny on one photo letterboxed into 640x480
// (args: photo [threads] [photo scale]), or --fer DATA N: faces found, box framing against the dataset crop and emotion
// accuracy through each detector on N FER2013 test faces. Results: docs/BENCHMARKS.md, "Face detectors".
using System.Diagnostics;
using Mien.Faces;
using OpenCvSharp;

// Detection probe: time and boxes of Mien's detectors on one photo letterboxed into 640x480, as the latency bench does.
if (args.Length > 0 && args[0] == "--fer") { FerStudy(args[1], int.Parse(args[2])); return; }
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

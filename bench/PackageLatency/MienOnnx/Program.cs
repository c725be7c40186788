// Photo latency through one package: 10 warm-up and 60 timed EmotionRecognizer.Predict(path) calls (read, decode,
// detect with "tiny", crop, classify on ONNX Runtime). bench/PackageLatency/README.md says how to run it.
using System.Diagnostics;
using Mien.Inference;
using var r = EmotionRecognizer.LoadDefault(new RecognizerOptions { Detector = new() { Detector = "tiny" } });
var times = new List<double>();
for (int i = 0; i < 70; i++)
{
    var sw = Stopwatch.StartNew();
    var p = r.Predict(args[0]);
    sw.Stop();
    if (i == 0) Console.WriteLine(string.Join(" ", p.Faces.Select(f => f.Emotion)));
    if (i >= 10) times.Add(sw.Elapsed.TotalMilliseconds);
}
times.Sort();
Console.WriteLine($"Mien.Onnx median {times[times.Count / 2]:F1} ms p95 {times[(int)(times.Count * 0.95)]:F1} ms");

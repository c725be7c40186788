// Photo latency through one package: 10 warm-up and 60 timed EmotionRecognizer.Predict(path) calls (read, decode,
// detect with "tiny", crop, classify on ONNX Runtime). Compiled into both projects; MIEN_ONNX picks the package.
// README.md beside it says how to run it.
using System.Diagnostics;
using Mien.Inference;

#if MIEN_ONNX
const string package = "Mien.Onnx";
using var r = EmotionRecognizer.LoadDefault(new RecognizerOptions { Detector = new() { Detector = "tiny" } });
#else
const string package = "Mien (ONNX backend)";
using var r = EmotionRecognizer.LoadDefault(new RecognizerOptions { Backend = InferenceBackend.Onnx, Detector = new() { Detector = "tiny" } });
#endif
if (args.Length != 1) { Console.Error.WriteLine("usage: PackageLatency PHOTO"); return 2; }
var times = new List<double>();
for (int i = 0; i < 70; i++)
{
    var sw = Stopwatch.StartNew();
    var p = r.Predict(args[0]);
    sw.Stop();
    if (!p.Succeeded) { Console.Error.WriteLine(p.Error); return 1; }
    if (i == 0) Console.WriteLine(string.Join(" ", p.Faces.Select(f => f.Emotion)));
    if (i >= 10) times.Add(sw.Elapsed.TotalMilliseconds);
}
times.Sort();
Console.WriteLine($"{package} median {times[times.Count / 2]:F1} ms p95 {times[(int)(times.Count * 0.95)]:F1} ms");
return 0;

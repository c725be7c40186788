// Usage: dotnet run --project samples/Mien.Sample -- <photo> [more photos...]
using Mien.Inference;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Mien.Sample <photo> [more photos...]");
    return 1;
}

Mien.Runtime.NativeRuntime.Tune();                              // Linux, first thing: reuse big tensor blocks (~1.4x faster), short OpenMP spin
using var recognizer = EmotionRecognizer.LoadDefault();          // or EmotionRecognizer.Load("my.mien")
int failed = 0;
foreach (var path in args)
{
    ImagePrediction result = recognizer.Predict(path);           // or Predict(OpenCvSharp.Mat)
    if (!result.Succeeded)
    {
        Console.Error.WriteLine($"{path}: {result.Error}");
        failed++;
        continue;
    }
    Console.WriteLine($"{path}: {result.Faces.Count} face(s)");
    foreach (var face in result.Faces)
        Console.WriteLine($"  {face.Box.X},{face.Box.Y} {face.Box.Width}x{face.Box.Height}: {face.Emotion} ({face.Confidence:P0})");
}
return failed == 0 ? 0 : 2;

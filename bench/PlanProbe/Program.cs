// Faces/s of freshly initialised presets as EmotionModel.Load compiles them (fp32), batch 1 and 64, median of 7 runs.
// Small on purpose: bench/plan_ab.sh builds it at two commits and runs the builds interleaved, so a change to the
// inference plan is judged within one quiet window (this machine's speed drifts by 20 % between runs of the full bench).
// dotnet PlanProbe.dll [preset ...]
using System.Diagnostics;
using Mien.Models;

string[] names = args.Length > 0 ? args : ["mini-xception", "vgg-small", "seed"];
string dir = Path.Combine(Path.GetTempPath(), $"mien-planprobe-{Environment.ProcessId}");
Directory.CreateDirectory(dir);
try
{
    var rng = new Random(1);
    foreach (var name in names)
    {
        string saved = Path.Combine(dir, name + ".mien");
        using (var fresh = EmotionModel.Create(ModelZoo.GetSpec(name), ["a", "b", "c", "d", "e", "f", "g"], 0.5f, 0.25f)) fresh.Save(saved);
        using var model = EmotionModel.Load(saved, InferencePrecision.Float32);
        int side = model.InputSize;
        var pixels = new byte[64 * side * side];
        rng.NextBytes(pixels);
        foreach (int batch in new[] { 1, 64 })
        {
            int iters = batch == 1 ? 400 : 20;
            var faces = pixels.AsSpan(0, batch * side * side);
            for (int i = 0; i < 5; i++) model.PredictProbabilities(faces, batch);
            var rates = new List<double>();
            for (int r = 0; r < 7; r++)
            {
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < iters; i++) model.PredictProbabilities(faces, batch);
                rates.Add(iters * batch / clock.Elapsed.TotalSeconds);
            }
            rates.Sort();
            Console.WriteLine($"{name} batch {batch}: {rates[3]:F0} faces/s (min {rates[0]:F0}, max {rates[6]:F0})");
        }
    }
}
finally { Directory.Delete(dir, recursive: true); }

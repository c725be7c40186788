using System.Globalization;
using System.Text.Json;
using Mien.Bench;

// The C# half of bench/run.sh. Each command writes one JSON file; bench/report.py turns them into tables.
//   speed   — training and inference throughput per preset. It also writes the faces, labels and layer specs
//             that bench/pytorch_reference.py reads, so both engines see identical data and architectures.
//   latency — end-to-end photo latency (decode + detect + crop + classify) in a warm process.
//   video   — video frames/s end to end (decode + detect + classify + track) at 640x480 and 1280x720, real-time factor.
//   layers  — forward and backward time of each top-level layer of the presets in training (bench/pytorch_layers.py: PyTorch's).
//   train-precision — training steps in fp32 against bf16 (whole network, or convolutions and dense layers only).
Mien.Runtime.NativeRuntime.Tune(); // as the CLI and the web service do; run.sh gives PyTorch the same settings
const string Usage = "usage: Mien.Bench speed|latency|video|layers|train-precision --out FILE [--work DIR] [--name value ...]; the options and their defaults are in bench/run.sh and docs/BENCHMARKS.md";
if (args.Length == 0 || args.Any(x => x is "--help" or "-h" or "-?"))
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}
try
{
    var a = new Args(args);
    return a.Command switch
    {
        "speed" => SpeedBench.Run(a),
        "latency" => LatencyBench.Run(a),
        "video" => VideoBench.Run(a),
        "layers" => LayerBench.Run(a),
        "train-precision" => TrainPrecisionBench.Run(a),
        _ => Fail(Usage),
    };
}
catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or Mien.Data.MienDataException)
{
    return Fail(e.Message);
}

static int Fail(string message)
{
    Console.Error.WriteLine($"Mien.Bench: {message}");
    return 2;
}

namespace Mien.Bench
{
    /// <summary>"--key value" pairs after a command word; deliberately tiny (run.sh is the only caller).</summary>
    internal sealed class Args
    {
        private readonly Dictionary<string, string> _values = [];

        public Args(string[] args)
        {
            Command = args.Length > 0 ? args[0] : "";
            for (int i = 1; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                    throw new ArgumentException($"expected '--name value', got '{args[i]}'.");
                _values[args[i][2..]] = args[++i];
            }
        }

        public string Command { get; }
        public string Line => string.Join(' ', Environment.GetCommandLineArgs().Skip(1));

        public string Get(string key, string? fallback = null) =>
            _values.TryGetValue(key, out var v) ? v : fallback ?? throw new ArgumentException($"--{key} is required.");

        public int Int(string key, int fallback) => _values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        public static void WriteJson(string path, object value)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
            Console.Error.WriteLine($"wrote {path}");
        }
    }
}

using System.Diagnostics;
using Mien.Models;
using Mien.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Bench;

/// <summary>
/// Would bfloat16 training pay (issue #15, acceptance 1)? Times whole training steps (zero_grad, forward, loss, backward,
/// AdamW) of a preset, alternating, on random inputs: <c>fp32</c>; <c>bf16</c>, every layer in bf16; <c>bf16-conv-dense</c>,
/// only convolutions and dense layers in bf16 with batch norm in fp32 (what PyTorch's CPU autocast runs), no master
/// weights; <c>mixed</c>, the product's <c>--precision bf16</c> (the same with fp32 master weights,
/// <see cref="Training.MixedPrecision"/>).
/// </summary>
internal static class TrainPrecisionBench
{
    private static readonly string[] Modes = ["fp32", "bf16", "bf16-conv-dense", "mixed"];

    public static int Run(Args a)
    {
        int batch = a.Int("batch", 64), warmup = a.Int("warmup", 3), runs = a.Int("runs", 15), rounds = a.Int("rounds", 2), threads = a.Int("threads", 0);
        if (threads > 0) torch.set_num_threads(threads);
        var results = new List<object>();
        foreach (var name in a.Get("presets", "mini-xception,vgg-small,vgg-tiny").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var spec = ModelZoo.GetSpec(name);
            for (int round = 0; round < rounds; round++)
                foreach (var mode in Modes)
                {
                    var stat = Steps(spec, mode, batch, warmup, runs);
                    Console.Error.WriteLine($"{name} {mode}: median {stat.Median:F1} ms/step, {batch * 1000 / stat.Median:F0} images/s");
                    results.Add(new { preset = name, mode, round, batch, stepMs = stat, imagesPerSecond = batch * 1000 / stat.Median });
                }
        }
        Args.WriteJson(a.Get("out"), new { engine = "Mien (TorchSharp/LibTorch)", command = a.Line, cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim(), nativeBFloat16 = Mien.Runtime.CpuFeatures.HasNativeBFloat16, threads = torch.get_num_threads(), results });
        return 0;
    }

    private static Stat Steps(ModelSpec spec, string mode, int batch, int warmup, int runs)
    {
        torch.manual_seed(42);
        using var net = ModelBuilder.Build(spec, 7, out _);
        net.train();
        bool channelsLast = MemoryLayout.CanTrainChannelsLast(net);
        var dtype = mode is "fp32" or "mixed" ? ScalarType.Float32 : ScalarType.BFloat16;
        if (mode == "bf16") net.to(dtype);
        if (mode == "bf16-conv-dense")
            foreach (var (_, m) in net.named_modules())
                if (m is TorchSharp.Modules.Conv2d or TorchSharp.Modules.Linear) m.to(dtype); // batch norm takes bf16 input with fp32 weights
        using var optimizer = optim.AdamW(net.parameters(), 1e-3);
        using var mixed = mode.StartsWith("mixed", StringComparison.Ordinal) ? new MixedPrecision(net) : null; // what --precision bf16 runs: bf16 copies, fp32 masters
        mixed?.Enter();
        using var x = torch.randn(batch, 1, spec.InputSize, spec.InputSize);
        using var y = torch.randint(0, 7, batch);
        var times = new List<double>();
        for (int i = 0; i < warmup + runs; i++)
        {
            var sw = Stopwatch.StartNew();
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                var input = mixed is null ? x.to(dtype) : MixedPrecision.Input(x);
                var logits = net.forward(channelsLast ? MemoryLayout.GreyAsChannelsLast(input) : input).to(ScalarType.Float32);
                var loss = nn.functional.cross_entropy(logits, y);
                loss.backward();
                mixed?.GradientsToMasters();
                optimizer.step();
                mixed?.MastersToCopies();
                loss.item<float>();
            }
            if (i >= warmup) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return Stat.Of(times);
    }
}

using System.Diagnostics;
using Mien.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mien.Bench;

/// <summary>
/// Where a training step's time goes (issue #15: "measured per layer"): each top-level layer of a preset's network, in
/// train mode and channels-last where <see cref="Training.Trainer"/> trains so, timed alone on a batch of the shape it sees
/// in the network: forward, and backward from a random gradient on its output. bench/pytorch_layers.py times the same
/// layers of the PyTorch port (from the specs `speed` writes to --work), so the two can be read side by side.
/// </summary>
internal static class LayerBench
{
    public static int Run(Args a)
    {
        int batch = a.Int("batch", 64), warmup = a.Int("warmup", 3), runs = a.Int("runs", 10), threads = a.Int("threads", 0);
        if (threads > 0) torch.set_num_threads(threads);
        var presets = a.Get("presets", string.Join(',', ModelZoo.Names)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var results = new List<object>();
        foreach (var name in presets)
        {
            var spec = ModelZoo.GetSpec(name);
            torch.manual_seed(42);
            using var net = ModelBuilder.Build(spec, 7, out _);
            if (net is not Sequential sequential) throw new ArgumentException($"{name}: not a sequence of layers.");
            net.train();
            bool channelsLast = MemoryLayout.CanTrainChannelsLast(net);
            var x = torch.randn(batch, 1, spec.InputSize, spec.InputSize);
            if (channelsLast) x = MemoryLayout.GreyAsChannelsLast(x);
            var layers = new List<object>();
            double forwardSum = 0, backwardSum = 0;
            foreach (var (layerName, child) in sequential.named_children())
            {
                var layer = (nn.Module<Tensor, Tensor>)child;
                // Each call on a fresh clone of a leaf: in-place layers (ReLU) may not write into a leaf that requires grad,
                // nor twice into one tensor whose graph is kept. The forward figure so includes one copy of the input.
                var leaf = x.detach().requires_grad_();
                var forward = Timing.Latency(warmup, runs, () => { using var s = torch.NewDisposeScope(); layer.forward(leaf.clone()); });
                var input = leaf.clone();
                var output = layer.forward(input);
                var grad = torch.randn_like(output);
                // retain_graph: the same graph is walked back each time (gradients accumulate; their cost is part of a step).
                var backward = Timing.Latency(warmup, runs, () => output.backward([grad], retain_graph: true));
                forwardSum += forward.Median; backwardSum += backward.Median;
                layers.Add(new { layer = layerName, type = child.GetType().Name, input = input.shape, output = output.shape, forwardMs = forward, backwardMs = backward });
                Console.Error.WriteLine($"{name} {layerName} {child.GetType().Name} {string.Join('x', output.shape)}: forward {forward.Median:F2} ms, backward {backward.Median:F2} ms");
                x = output.detach();
            }
            Console.Error.WriteLine($"{name}: layers' sum forward {forwardSum:F1} ms + backward {backwardSum:F1} ms at batch {batch}");
            var step = StepPhases(net, spec.InputSize, channelsLast, batch, warmup, runs);
            Console.Error.WriteLine($"{name}: whole step " + string.Join(", ", step.Select(p => $"{p.Key} {p.Value.Median:F2}")) + " ms");
            results.Add(new { preset = name, channelsLast, batch, layers, forwardMs = forwardSum, backwardMs = backwardSum, step });
        }
        Args.WriteJson(a.Get("out"), new { engine = "Mien (TorchSharp/LibTorch)", command = a.Line, threads = torch.get_num_threads(), presets = results });
        return 0;
    }

    /// <summary>
    /// The phases of whole training steps as <see cref="Training.Trainer"/> runs them (zero_grad, forward, loss, backward,
    /// AdamW step, reading the loss), each timed inside the same steps, so what surrounds the layers shows up beside their sum.
    /// </summary>
    private static Dictionary<string, Stat> StepPhases(nn.Module<Tensor, Tensor> net, int size, bool channelsLast, int batch, int warmup, int runs)
    {
        var defaults = new Training.TrainingOptions();
        using var optimizer = optim.AdamW(net.parameters(), defaults.LearningRate, weight_decay: defaults.WeightDecay);
        using var x = torch.randn(batch, 1, size, size);
        using var y = torch.randint(0, 7, batch);
        string[] names = ["zero_grad", "forward", "loss", "backward", "optimizer", "item", "dispose", "total"];
        var samples = names.ToDictionary(n => n, _ => new List<double>());
        for (int i = 0; i < warmup + runs; i++)
        {
            var t = new double[names.Length];
            var sw = Stopwatch.StartNew();
            double last = 0;
            void Mark(int phase) { double now = sw.Elapsed.TotalMilliseconds; t[phase] = now - last; last = now; }
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.zero_grad(); Mark(0);
                var logits = net.forward(channelsLast ? MemoryLayout.GreyAsChannelsLast(x) : x); Mark(1);
                var loss = nn.functional.cross_entropy(logits, y, label_smoothing: defaults.LabelSmoothing); Mark(2);
                loss.backward(); Mark(3);
                optimizer.step(); Mark(4);
                loss.item<float>(); Mark(5);
            }
            Mark(6);
            t[7] = sw.Elapsed.TotalMilliseconds;
            if (i >= warmup) for (int p = 0; p < names.Length; p++) samples[names[p]].Add(t[p]);
        }
        return samples.ToDictionary(kv => kv.Key, kv => Stat.Of(kv.Value));
    }
}

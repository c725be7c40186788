using Mien.Inference;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Mien.Data;
using Mien.Models;
using Mien.Runtime;
using Mien.Splits;
using Mien.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Mien.Bench;

/// <summary>
/// Training and inference throughput of every preset, measured on the same ops as <see cref="Trainer"/> and
/// <see cref="EmotionModel.PredictProbabilities"/>. bench/pytorch_reference.py repeats the training and
/// network-only inference measurements in PyTorch on the files written to --work.
/// </summary>
internal static class SpeedBench
{
    public static int Run(Args a)
    {
        string work = a.Get("work"), outPath = a.Get("out");
        int threads = a.Int("threads", 0), batch = a.Int("batch", 64), warmup = a.Int("warmup", 3), runs = a.Int("runs", 5);
        int trainSteps = a.Int("train-steps", 10), inferIters = a.Int("infer-iters", 10), fitImages = a.Int("fit-images", 1024);
        // Auto precision measured in this (quiet) run, not taken from a cache written at another moment.
        Environment.SetEnvironmentVariable("MIEN_CACHE_DIR", Path.Combine(work, "precision-cache"));
        if (threads > 0) torch.set_num_threads(threads);
        var presets = a.Get("presets", string.Join(',', ModelZoo.Names)).Split(',', StringSplitOptions.RemoveEmptyEntries);

        // Real faces (FER2013), decoded once; both engines read the same bytes from --work.
        var data = DatasetLoader.Load(a.Get("data"), new DatasetLoadOptions { Limit = a.Int("images", 2048) });
        if (data.Count < batch * 2) throw new InvalidDataException($"{data.Origin}: only {data.Count} images; the benchmark needs at least {batch * 2}.");
        var (mean, std) = Trainer.PixelStatistics(data, Enumerable.Range(0, data.Count).ToArray());
        Directory.CreateDirectory(Path.Combine(work, "models"));
        File.WriteAllBytes(Path.Combine(work, "faces.u8"), data.Pixels);
        File.WriteAllBytes(Path.Combine(work, "labels.i32"), MemoryMarshal.AsBytes(data.Labels.AsSpan()).ToArray());
        Args.WriteJson(Path.Combine(work, "dataset.json"), new { origin = data.Origin, count = data.Count, size = data.Width, classNames = data.ClassNames, mean, std });

        var results = new List<object>();
        foreach (var name in presets)
        {
            var spec = ModelZoo.GetSpec(name);
            var summary = ModelBuilder.Summarize(spec, data.ClassNames.Count);
            torch.manual_seed(42);
            using var model = EmotionModel.Create(spec, data.ClassNames, mean, std);
            // The parameter shapes in registration order: the PyTorch port must reproduce them one for one.
            var shapes = model.Network.parameters().Select(p => p.shape).ToArray();
            Args.WriteJson(Path.Combine(work, "models", spec.Name + ".json"), new
            {
                name = spec.Name, classes = data.ClassNames.Count, spec = JsonNode.Parse(spec.ToJson()),
                parameters = summary.Parameters, multiplyAdds = summary.MultiplyAdds, flops = summary.Flops, parameterShapes = shapes,
            });

            using var x = model.ToInput(data.Pixels, data.Count);
            using var y = torch.tensor(data.Labels.Select(l => (long)l).ToArray());
            Console.Error.WriteLine($"{spec.Name}: {summary.Parameters:N0} parameters, {summary.Flops / 1e6:F1} MFLOPs/face; training...");
            var train = TrainSpeed(model.Network, x, y, batch, warmup, runs, trainSteps, null);
            var augmenter = new BatchAugmenter(new AugmentationOptions(), std, new Generator(42));
            var trainAugmented = TrainSpeed(model.Network, x, y, batch, warmup, runs, trainSteps, augmenter);
            // --precision bf16's loop (MixedPrecision), only where the CPU has native bf16 (emulated it is slower, and not offered as a gain).
            var trainBf16 = CpuFeatures.HasNativeBFloat16 ? TrainSpeed(model.Network, x, y, batch, warmup, runs, trainSteps, null, bf16: true) : null;
            var fit = TrainerFit(data, spec, fitImages, batch, threads);

            Console.Error.WriteLine($"{spec.Name}: inference...");
            model.Network.eval();
            var network1 = NetworkSpeed(model.Network, x, 1, warmup, runs, inferIters * 8); // batch 1 is cheap: more calls per run
            var network64 = NetworkSpeed(model.Network, x, batch, warmup, runs, inferIters);
            var api1 = ApiSpeed(model, data.Pixels, 1, warmup, runs, inferIters * 8);
            var api64 = ApiSpeed(model, data.Pixels, batch, warmup, runs, inferIters);
            // What `mien predict` runs: the model as EmotionModel.Load returns it, compiled (InferencePlan).
            string saved = Path.Combine(work, "models", spec.Name + ".mien");
            model.Save(saved);
            var compiled = new Dictionary<string, object?>();
            Stat? shipped64 = null;
            string auto;
            using (var measured = EmotionModel.Load(saved, InferencePrecision.Auto)) // what Auto picks here, by its own measurement
            {
                measured.PredictProbabilities(data.Pixels.AsSpan(0, data.Width * data.Height), 1);
                auto = measured.Precision == InferencePrecision.BFloat16 ? "bf16" : "fp32";
            }
            foreach (var precision in new[] { InferencePrecision.Float32, InferencePrecision.BFloat16 })
            {
                string key = precision == InferencePrecision.BFloat16 ? "bf16" : "fp32";
                if (precision == InferencePrecision.BFloat16 && !CpuFeatures.HasNativeBFloat16) { compiled[key] = null; continue; } // emulated: slow, and not what Auto picks
                using var loaded = EmotionModel.Load(saved, precision);
                var c1 = ApiSpeed(loaded, data.Pixels, 1, warmup, runs, inferIters * 8);
                var c64 = ApiSpeed(loaded, data.Pixels, batch, warmup, runs, inferIters);
                compiled[key] = new { batch1 = c1, batch64 = c64 };
                if (key == auto) shipped64 = c64;
            }
            compiled["auto"] = auto;
            // Mien's other serving engine, `--backend onnx` (ONNX Runtime fp32 on the in-memory export), as the recognizer runs it.
            object onnxFp32;
            using (var onnx = EmotionRecognizer.Load(saved, new RecognizerOptions { Backend = InferenceBackend.Onnx, Precision = InferencePrecision.Float32, DetectFaces = false }))
            {
                var faces1 = data.Pixels.AsMemory(0, data.Width * data.Height);
                var facesN = data.Pixels.AsMemory(0, batch * data.Width * data.Height);
                var o1 = Timing.Throughput(warmup, runs, inferIters * 8, () => { for (int i = 0; i < inferIters * 8; i++) onnx.PredictCrops(faces1.Span, 1); });
                var oN = Timing.Throughput(warmup, runs, inferIters * batch, () => { for (int i = 0; i < inferIters; i++) onnx.PredictCrops(facesN.Span, batch); });
                onnxFp32 = new { batch1 = o1, batch64 = oN };
                Console.Error.WriteLine($"{spec.Name}: ONNX Runtime fp32 batch 1 {o1.Median:F0}, batch {batch} {oN.Median:F0} faces/s");
            }
            Console.Error.WriteLine($"{spec.Name}: train {train.Median:F0} img/s (augmented {trainAugmented.Median:F0}, Trainer.Fit {fit:F0}); " +
                                    $"inference batch 1 {network1.Median:F0}, batch {batch} {network64.Median:F0} faces/s; " +
                                    $"as loaded for prediction ({auto}) batch {batch} {shipped64!.Median:F0} faces/s");
            results.Add(new
            {
                preset = spec.Name, parameters = summary.Parameters, flops = summary.Flops,
                train, trainAugmented, trainBf16, trainerFitImagesPerSecond = fit, trainChannelsLast = MemoryLayout.CanTrainChannelsLast(model.Network),
                inferBatch1 = network1, inferBatch64 = network64, apiBatch1 = api1, apiBatch64 = api64, compiled, onnxFp32,
            });
        }
        var backbones = Backbones(a, data.ClassNames, batch, warmup, runs, inferIters);
        var engines = EngineBench.Run(a, data, batch, warmup, runs, inferIters); // --engines: one model on LibTorch and ONNX Runtime, fp32/bf16/int8

        Args.WriteJson(outPath, new
        {
            engine = "Mien (TorchSharp)", nativeBFloat16 = CpuFeatures.HasNativeBFloat16, allocatorTuned = true, gompSpinCount = NativeThreading.NativeVariable("GOMP_SPINCOUNT"), ompWaitPolicy = NativeThreading.NativeVariable("OMP_WAIT_POLICY"),
            oneDnnMaxCpuIsa = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA"), atenCpuCapability = Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY"), torchSharp = typeof(torch).Assembly.GetName().Version?.ToString(), threads = torch.get_num_threads(),
            batch, warmup, runs, trainSteps, inferIters, images = data.Count, command = a.Line, presets = results, backbones, engines,
        });
        return 0;
    }

    /// <summary>
    /// Images per second of Trainer's inner loop: index_select a batch from the in-memory tensor, (augment,)
    /// forward, cross-entropy with label smoothing, backward, AdamW step, read the loss; with <paramref name="bf16"/>
    /// as <c>--precision bf16</c> trains (bf16 layers, fp32 masters).
    /// </summary>
    private static Stat TrainSpeed(nn.Module<Tensor, Tensor> net, Tensor x, Tensor y, int batch, int warmup, int runs, int steps, BatchAugmenter? augmenter, bool bf16 = false)
    {
        net.train();
        using var mixed = bf16 ? new MixedPrecision(net) : null;
        mixed?.Enter();
        bool channelsLast = MemoryLayout.CanTrainChannelsLast(net); // as Trainer does
        var defaults = new TrainingOptions();
        using var optimizer = optim.AdamW(net.parameters(), defaults.LearningRate, weight_decay: defaults.WeightDecay);
        long n = x.shape[0], batchesPerEpoch = n / batch, step = 0;
        using var perm = torch.randperm(n, generator: new Generator(42));
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var idx = perm.narrow(0, step++ % batchesPerEpoch * batch, batch);
            var xb = x.index_select(0, idx);
            if (augmenter is not null) xb = augmenter.Apply(xb);
            optimizer.zero_grad();
            var input = channelsLast ? MemoryLayout.GreyAsChannelsLast(xb) : xb;
            var logits = mixed is null ? net.forward(input) : net.forward(MixedPrecision.Input(input)).to(ScalarType.Float32);
            var loss = nn.functional.cross_entropy(logits, y.index_select(0, idx), label_smoothing: defaults.LabelSmoothing);
            loss.backward();
            mixed?.GradientsToMasters();
            optimizer.step();
            mixed?.MastersToCopies();
            loss.item<float>();
        }
        return Timing.Throughput(warmup, runs, steps * batch, () => { for (int i = 0; i < steps; i++) Step(); });
    }

    /// <summary>
    /// The product path itself: Trainer.Fit for two epochs, reporting the second epoch's training images/s (the
    /// first pays one-off kernel set-up). Checks that the inner-loop figure above is what users get.
    /// </summary>
    private static double TrainerFit(FaceDataset data, ModelSpec spec, int images, int batch, int threads)
    {
        int n = Math.Min(images, data.Count), val = Math.Max(batch, n / 10);
        var split = new DataSplit("bench", Enumerable.Range(0, n - val).ToArray(), Enumerable.Range(n - val, val).ToArray(), []);
        var result = new Trainer(new TrainingOptions { Epochs = 2, BatchSize = batch, Threads = threads }).Fit(data, split, spec);
        result.Model.Dispose();
        return result.History[^1].ImagesPerSecond;
    }

    /// <summary>Faces per second of the network alone (forward + softmax) in inference mode, like the PyTorch side.</summary>
    private static Stat NetworkSpeed(nn.Module<Tensor, Tensor> net, Tensor x, int batch, int warmup, int runs, int iters)
    {
        using var _ = torch.inference_mode();
        using var xb = x.narrow(0, 0, batch).contiguous();
        return Timing.Throughput(warmup, runs, iters * batch, () =>
        {
            for (int i = 0; i < iters; i++)
            {
                using var scope = torch.NewDisposeScope();
                nn.functional.softmax(net.forward(xb), 1);
            }
        });
    }

    /// <summary>
    /// Inference only, for the pretrained backbones (--backbones a,b --backbone-size 64): the model as `mien predict`
    /// loads it (saved, loaded, compiled where the plan knows the layers), at batch 1 and batch N, on random grey faces
    /// (speed does not depend on the pixels). Training them here would take hours; PyTorch's reference knows only the presets.
    /// --backbone-compiled 0 runs the loaded network uncompiled instead; --backbone-precision float32|bfloat16 overrides Auto.
    /// </summary>
    private static List<object> Backbones(Args a, IReadOnlyList<string> classes, int batch, int warmup, int runs, int iters)
    {
        var names = a.Get("backbones", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        int size = a.Int("backbone-size", 64);
        var results = new List<object>();
        string dir = Path.Combine(Path.GetTempPath(), $"mien-bench-backbones-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var name in names)
            {
                // At the size asked for, or the smallest the network takes (inception_v3: 75).
                var spec = ModelZoo.GetSpec(name);
                spec = spec with { InputSize = Math.Max(size, spec.InputSize) };
                var pixels = new byte[batch * spec.InputSize * spec.InputSize];
                new Random(42).NextBytes(pixels);
                var summary = ModelBuilder.Summarize(spec, classes.Count);
                string saved = Path.Combine(dir, name + ".mien");
                using (var fresh = EmotionModel.Create(spec, classes, 0.449f, 0.226f)) fresh.Save(saved);
                using var loaded = EmotionModel.Load(saved, Enum.Parse<InferencePrecision>(a.Get("backbone-precision", "Auto"), ignoreCase: true));
                // --backbone-compiled 0: the same loaded network run as it is (no inference plan), for comparison.
                // Not disposed: the network is the loaded model's.
                var model = a.Int("backbone-compiled", 1) != 0 ? loaded : new EmotionModel(loaded.Network, loaded.Metadata);
                Console.Error.WriteLine($"{name} at {spec.InputSize}x{spec.InputSize}: {summary.Parameters:N0} parameters, {summary.Flops / 1e6:F1} MFLOPs/face; inference...");
                // Big backbones are slow: fewer calls per run so each stays within seconds.
                int scaled = Math.Max(1, (int)(iters * Math.Min(1, 200e6 / summary.Flops)));
                Stat b1, bN;
                try
                {
                    b1 = ApiSpeed(model, pixels, 1, warmup, runs, scaled * 4);
                    bN = ApiSpeed(model, pixels, batch, warmup, runs, scaled);
                }
                catch (System.Runtime.InteropServices.ExternalException e)
                {
                    // One backbone's LibTorch error (TorchSharp's implicit Scalars can be finalized mid-call, see
                    // BatchNormFolding) is recorded, not allowed to end the whole benchmark.
                    string first = e.Message.Split('\n')[0];
                    Console.Error.WriteLine($"{name}: failed: {first}");
                    results.Add(new { backbone = name, inputSize = spec.InputSize, parameters = summary.Parameters, flops = summary.Flops, error = first });
                    continue;
                }
                // Null: the inference plan does not know a layer (imported ONNX graphs), so the network runs as built, fp32.
                string path = model.Precision?.ToString() ?? "Float32, uncompiled";
                Console.Error.WriteLine($"{name}: batch 1 {b1.Median:F0}, batch {batch} {bN.Median:F0} faces/s ({path})");
                results.Add(new { backbone = name, inputSize = spec.InputSize, parameters = summary.Parameters, flops = summary.Flops, precision = path, batch1 = b1, batchN = bN });
            }
        }
        finally { Directory.Delete(dir, true); }
        return results;
    }

    /// <summary>Faces per second of the public API: grey bytes in, probabilities out (normalisation and copies included).</summary>
    private static Stat ApiSpeed(EmotionModel model, byte[] pixels, int batch, int warmup, int runs, int iters)
    {
        var faces = pixels.AsMemory(0, batch * model.InputSize * model.InputSize);
        return Timing.Throughput(warmup, runs, iters * batch, () =>
        {
            for (int i = 0; i < iters; i++) model.PredictProbabilities(faces.Span, batch);
        });
    }
}

using Mien.Faces;
using Mien.Data;
using Mien.Experiments;
using Mien.Inference;
using Mien.Models;
using Mien.Runtime;

namespace Mien.Bench;

/// <summary>
/// One trained model on each inference engine in the same process and run (speed --engines, issue #13 acceptance 3):
/// LibTorch fp32 and bf16 (the compiled plan), ONNX Runtime fp32 (the in-memory export) and int8 (the QDQ file of
/// `mien export --int8`, calibrated here on --calibration-data). Each is an <see cref="EmotionRecognizer"/> as
/// `mien predict --precision/--backend/--onnx-model` builds it; measured: ready faces per second at batch 1 and batch N
/// (<see cref="EmotionRecognizer.PredictCrops"/>: grey bytes in, predictions out) and the end-to-end latency of one
/// 640x480 photo (<see cref="EmotionRecognizer.Predict(string)"/>: decode, detect, crop, classify).
/// </summary>
internal static class EngineBench
{
    public static readonly string[] Names = ["torch-fp32", "torch-bf16", "onnx-fp32", "onnx-int8"];

    public static object? Run(Args a, FaceDataset data, int batch, int warmup, int runs, int iters)
    {
        var names = a.Get("engines", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) return null;
        if (names.FirstOrDefault(n => !Names.Contains(n)) is { } bad) throw new ArgumentException($"--engines: '{bad}' is not one of {string.Join(", ", Names)}.");
        string work = a.Get("work"), modelPath = a.Get("engine-model", "models/mien-default.mien");
        int latencyRuns = a.Int("engine-latency-runs", 50);
        // The photo's face detector (default: the recognizer's); e.g. tiny, whose ONNX Runtime session then shares the
        // two cores with the classifier's engine.
        var defaults = new FaceDetectorOptions();
        var detector = defaults with { Detector = a.Get("engine-detector", defaults.Detector), MinFaceSize = a.Int("engine-min-face", defaults.MinFaceSize) };
        string photo = Path.Combine(work, "engines-photo-640x480.jpg");
        LatencyBench.MakePhoto(a.Get("photo"), photo);

        string? int8 = null, summary = null;
        long fp32Bytes;
        using (var model = EmotionModel.Load(modelPath, InferencePrecision.Float32))
        {
            if (model.InputSize != data.Width) throw new ArgumentException($"{modelPath} reads {model.InputSize}x{model.InputSize} faces; the benchmark faces are {data.Width}x{data.Height}.");
            string fp32 = Path.Combine(work, "engines-fp32.onnx");
            Models.Onnx.OnnxExporter.Export(model, fp32);
            fp32Bytes = new FileInfo(fp32).Length;
            if (names.Contains("onnx-int8"))
            {
                int8 = Path.Combine(work, "engines-int8.onnx");
                summary = Int8Export.Run(model, int8, a.Get("calibration-data")).Description;
            }
        }

        var results = new List<object>();
        foreach (var name in names)
        {
            RecognizerOptions? options = name switch
            {
                "torch-fp32" => new() { Detector = detector, Precision = InferencePrecision.Float32 },
                // Emulated bf16 is slow and not what `auto` picks on such a CPU: recorded as skipped, not measured.
                "torch-bf16" => CpuFeatures.HasNativeBFloat16 ? new() { Detector = detector, Precision = InferencePrecision.BFloat16 } : null,
                "onnx-fp32" => new() { Detector = detector, Backend = InferenceBackend.Onnx, Precision = InferencePrecision.Float32 },
                _ => new() { Detector = detector, Backend = InferenceBackend.Onnx, Precision = InferencePrecision.Float32, OnnxModel = int8 },
            };
            if (options is null)
            {
                Console.Error.WriteLine($"{name}: skipped (no native bfloat16 on this CPU)");
                results.Add(new { engine = name, skipped = "no native bfloat16 on this CPU" });
                continue;
            }
            using var r = EmotionRecognizer.Load(modelPath, options);
            var one = data.Pixels.AsMemory(0, data.Width * data.Height);
            var many = data.Pixels.AsMemory(0, batch * data.Width * data.Height);
            var b1 = Timing.Throughput(warmup, runs, iters * 8, () => { for (int i = 0; i < iters * 8; i++) r.PredictCrops(one.Span, 1); });
            var bN = Timing.Throughput(warmup, runs, iters * batch, () => { for (int i = 0; i < iters; i++) r.PredictCrops(many.Span, batch); });
            var found = r.Predict(photo);
            if (!found.Succeeded || found.Faces.Count == 0) throw new InvalidDataException($"{name}: no face found in {photo} ({found.Error}).");
            var latency = Timing.Latency(warmup, latencyRuns, () => r.Predict(photo));
            Console.Error.WriteLine($"{name}: batch 1 {b1.Median:F0}, batch {batch} {bN.Median:F0} faces/s; 640x480 photo median {latency.Median:F1} ms (p95 {latency.P95:F1})");
            results.Add(new { engine = name, batch1 = b1, batchN = bN, photo = latency, photoFaces = found.Faces.Count, emotion = found.Faces[0].Emotion });
        }
        return new
        {
            model = modelPath, photo = a.Get("photo"), batch, latencyRuns, detector = detector.Detector, minFace = detector.MinFaceSize, onnxThreads = "its default intra-op thread pool",
            fp32OnnxBytes = fp32Bytes, int8OnnxBytes = int8 is null ? (long?)null : new FileInfo(int8).Length, int8Quantization = summary, engines = results,
        };
    }
}

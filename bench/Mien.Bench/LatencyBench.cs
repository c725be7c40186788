using Mien.Data;
using Mien.Faces;
using Mien.Inference;
using Mien.Models;
using Mien.Models.Presets;
using OpenCvSharp;
using TorchSharp;
using Scalar = OpenCvSharp.Scalar;
using Size = OpenCvSharp.Size;

namespace Mien.Bench;

/// <summary>
/// What one photo costs in a warm process: decode + detect + crop + classify through <see cref="EmotionRecognizer"/>,
/// for several detectors and detection sizes, plus each stage alone, so the table shows where the time goes.
/// </summary>
internal static class LatencyBench
{
    public static int Run(Args a)
    {
        string work = a.Get("work"), outPath = a.Get("out"), modelPath = a.Get("model", "models/mien-default.mien");
        int warmup = a.Int("warmup", 5), runs = a.Int("runs", 50);
        // Auto precision measured in this (quiet) run, not taken from a cache written at another moment.
        Environment.SetEnvironmentVariable("MIEN_CACHE_DIR", Path.Combine(work, "precision-cache"));
        // Several LibTorch thread counts: OpenCV's and LibTorch's thread pools take turns within one photo, and on
        // a small machine one network thread can beat two (see docs/BENCHMARKS.md).
        var threadCounts = a.Get("threads", Environment.ProcessorCount.ToString()).Split(',').Select(int.Parse).ToArray();
        var detectors = a.Get("detectors", "haar-default,lbp").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var sides = a.Get("sides", "640,480,320").Split(',').Select(int.Parse).ToArray();
        // Cascade pyramid steps: detection time falls roughly with the number of pyramid levels.
        var scaleFactors = a.Get("scale-factors", "1.1").Split(',').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        Directory.CreateDirectory(work);
        string photo = Path.Combine(work, "photo-640x480.jpg");
        MakePhoto(a.Get("photo"), photo);

        // The bundled model when it exists; otherwise an untrained vgg-small, which costs exactly the same.
        var (model, modelSource) = File.Exists(modelPath)
            ? (EmotionModel.Load(modelPath), modelPath)
            : (EmotionModel.Create(VggSmallPreset.Spec, EmotionVocabulary.Fer2013Codes, 0.5f, 0.25f), "untrained vgg-small (no " + modelPath + ")");
        model.Network.eval();
        using var image = ImageDecoder.ReadColor(photo);
        // Not disposed: EmotionRecognizer.Dispose would dispose the shared model too. A few cascades live until exit.
        var minFaces = a.Get("min-faces", new FaceDetectorOptions().MinFaceSize.ToString()).Split(',').Select(int.Parse).ToArray();
        var recognizers = (from d in detectors from side in sides from sf in scaleFactors from mf in minFaces
            select (Detector: d, Side: side, ScaleFactor: sf, MinFace: mf, Recognizer: new EmotionRecognizer(model, new RecognizerOptions
            {
                Detector = new FaceDetectorOptions { Detector = d, MaxDetectionSide = side, ScaleFactor = sf, MinFaceSize = mf },
            }))).ToList();

        var byThreads = new List<object>();
        foreach (int threads in threadCounts)
        {
            torch.set_num_threads(threads);
            Console.Error.WriteLine($"latency: model {modelSource}, {threads} LibTorch thread(s), {runs} runs");
            var decode = Timing.Latency(warmup, runs, () => ImageDecoder.ReadColor(photo).Dispose());
            var variants = new List<object>();
            foreach (var (detector, side, scaleFactor, minFace, r) in recognizers)
            {
                var found = r.Predict(photo);
                if (!found.Succeeded) throw new InvalidDataException($"{photo}: {found.Error}");
                var e2e = Timing.Latency(warmup, runs, () => r.Predict(photo));
                var detect = Timing.Latency(warmup, runs, () => r.DetectFaces(image));
                Console.Error.WriteLine($"  {detector,-13} max side {side} scale {scaleFactor} min face {minFace}: {found.Faces.Count} face(s); end-to-end median {e2e.Median:F1} ms (p95 {e2e.P95:F1}), detection {detect.Median:F1} ms");
                variants.Add(new { detector, maxDetectionSide = side, scaleFactor, minFaceSize = minFace, faces = found.Faces.Count, endToEnd = e2e, detect });
            }

            // Classifier alone on the first variant's face(s): crop + classify, and the network call on ready crop bytes.
            var first = recognizers[0].Recognizer;
            var boxes = first.DetectFaces(image) is { Count: > 0 } b ? b : [new FaceBox(image.Width / 4, image.Height / 4, image.Width / 2, image.Height / 2, 1)];
            var crops = first.Crop(image, boxes);
            var cropClassify = Timing.Latency(warmup, runs, () => model.PredictProbabilities(first.Crop(image, boxes), boxes.Count));
            var classify = Timing.Latency(warmup, runs, () => model.PredictProbabilities(crops, boxes.Count));
            Console.Error.WriteLine($"  decode {decode.Median:F1} ms, crop+classify {cropClassify.Median:F2} ms, classify {classify.Median:F2} ms ({boxes.Count} face(s))");
            byThreads.Add(new { threads, decode, cropClassify, classify, classifiedFaces = boxes.Count, variants });
        }

        Args.WriteJson(outPath, new
        {
            photo = new { source = a.Get("photo"), width = image.Width, height = image.Height, format = "JPEG q90" },
            model = modelSource, preset = model.Metadata.Spec.Name, warmup, runs, command = a.Line, byThreads,
            gompSpinCount = Mien.Runtime.NativeThreading.NativeVariable("GOMP_SPINCOUNT"), ompWaitPolicy = Mien.Runtime.NativeThreading.NativeVariable("OMP_WAIT_POLICY"),
        });
        model.Dispose();
        return 0;
    }

    /// <summary>A 640x480 test photo: the source scaled to fit (aspect kept) and centred on grey, saved as a JPEG like a camera's.</summary>
    internal static void MakePhoto(string source, string target)
    {
        using var src = Cv2.ImRead(source, ImreadModes.Color);
        if (src.Empty()) throw new FileNotFoundException($"cannot read photo '{source}'.", source);
        double scale = Math.Min(640.0 / src.Width, 480.0 / src.Height);
        int w = (int)Math.Round(src.Width * scale), h = (int)Math.Round(src.Height * scale);
        using var resized = src.Resize(new Size(w, h), 0, 0, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Cubic);
        using var canvas = new Mat(480, 640, MatType.CV_8UC3, new Scalar(128, 128, 128));
        using (var roi = new Mat(canvas, new Rect((640 - w) / 2, (480 - h) / 2, w, h))) resized.CopyTo(roi);
        Cv2.ImWrite(target, canvas, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
    }
}

using System.CommandLine;
using Mien.Faces;
using Mien.Inference;

namespace Mien.Cli.Commands;

/// <summary>
/// The options of every command that finds faces and classifies them (predict, explain, video): one name and one
/// default for one idea, and one place that turns them into a loaded <see cref="EmotionRecognizer"/>.
/// </summary>
internal sealed class RecognizerArguments
{
    private static readonly FaceDetectorOptions D = new();
    public Option<string?> Model { get; } = new("--model", "-m") { Description = "A trained .mien model (default: the bundled model)." };
    public Option<bool> NoDetect { get; } = new("--no-detect") { Description = "Treat each image as one already-cropped face." };
    public Option<bool> NoFallback { get; } = new("--no-fallback") { Description = "Where the detector finds no face, report none: do not retry on a padded copy, nor classify a face-crop-shaped image whole." };
    public Option<string> Detector { get; } = new("--detector") { Description = $"Face detector: {string.Join(", ", FaceDetectors.Names)}.", DefaultValueFactory = _ => D.Detector };
    public Option<int> MinFace { get; } = new("--min-face") { Description = "Smallest face to find, in pixels.", DefaultValueFactory = _ => D.MinFaceSize };
    public Option<double> ScaleFactor { get; } = new("--scale-factor") { Description = "Cascade pyramid step (> 1); smaller finds more face sizes, slower.", DefaultValueFactory = _ => D.ScaleFactor };
    public Option<int> DetectSide { get; } = new("--detect-side") { Description = "Longest image side used for detection (0 = full size); boxes are mapped back.", DefaultValueFactory = _ => D.MaxDetectionSide };
    public Option<bool> Align { get; } = new("--align") { Description = "Level the eyes of tilted faces before classifying (OpenCV eye cascade)." };
    public Option<bool> Tta { get; } = new("--tta") { Description = "Average with the mirrored face (slower, a little more accurate)." };
    public Option<Mien.Models.InferencePrecision> Precision { get; } = PrecisionOption.Create();
    public Option<InferenceBackend> Backend { get; } = new("--backend") { Description = "Inference engine: torch (LibTorch, default) or onnx (ONNX Runtime on the model exported in memory, float32, or on --onnx-model).", DefaultValueFactory = _ => InferenceBackend.Torch };
    public Option<string?> OnnxModel { get; } = new("--onnx-model") { Description = "Run this .onnx export of the model with ONNX Runtime (implies --backend onnx), e.g. the int8 file of `mien export --onnx m.int8.onnx --int8 --calibration-data DATASET`." };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Model, NoDetect, NoFallback, Detector, MinFace, ScaleFactor, DetectSide, Align, Tta, Precision, Backend, OnnxModel }) c.Options.Add(o);
    }

    public RecognizerOptions Options(ParseResult r) => new()
    {
        DetectFaces = !r.GetValue(NoDetect), FallbackWhenNoFace = !r.GetValue(NoFallback), FlipAverage = r.GetValue(Tta), AlignEyes = r.GetValue(Align),
        Precision = r.GetValue(Precision), OnnxModel = r.GetValue(OnnxModel),
        // --onnx-model alone means the ONNX backend; with an explicit --backend torch the library refuses the pair.
        Backend = r.GetResult(Backend) is { Implicit: false } || r.GetValue(OnnxModel) is null ? r.GetValue(Backend) : InferenceBackend.Onnx,
        Detector = new FaceDetectorOptions
        {
            Detector = r.GetValue(Detector)!, MinFaceSize = r.GetValue(MinFace), ScaleFactor = r.GetValue(ScaleFactor), MaxDetectionSide = r.GetValue(DetectSide),
        },
    };

    /// <summary>The --model recognizer (or the bundled one), loaded and ready; a bad model file fails here, by name.</summary>
    public EmotionRecognizer Load(ParseResult r) =>
        r.GetValue(Model) is { } path ? EmotionRecognizer.Load(path, Options(r)) : EmotionRecognizer.LoadDefault(Options(r));
}

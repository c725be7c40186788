using Mien.Data;
using Mien.Faces;
using Mien.Models;
using OpenCvSharp;

namespace Mien.Inference;

/// <summary>
/// Finds the faces in a photo and says what each one feels. Thread-safe: one instance can serve many
/// concurrent callers (the detector serialises its own calls; the network runs in inference mode).
/// <code>
/// using var recognizer = EmotionRecognizer.LoadDefault();
/// foreach (var face in recognizer.Predict("photo.jpg").Faces) Console.WriteLine($"{face.Box}: {face.Emotion}");
/// </code>
/// </summary>
public sealed partial class EmotionRecognizer : IDisposable
{
    private readonly bool _ownsModel = true;
    private readonly Models.Onnx.OnnxPredictor? _onnx;
    private readonly bool _ownsOnnx = true;

    /// <summary>A recognizer over a loaded model (it takes ownership of it).</summary>
    public EmotionRecognizer(EmotionModel model, RecognizerOptions? options = null)
    {
        Model = model;
        Options = options ?? new RecognizerOptions();
        model.Network.eval();
        (_detector, _aligner, _crop) = OpenFaceReaders(Options, model.Metadata.FaceMargin, model.InputSize);
        try
        {
            if (Options.OnnxModel is not null && Options.Backend != InferenceBackend.Onnx)
                throw new ArgumentException($"RecognizerOptions.OnnxModel ('{Options.OnnxModel}') is run by the ONNX backend: set Backend = InferenceBackend.Onnx.", nameof(options));
            _onnx = Options.Backend != InferenceBackend.Onnx ? null
                : Options.OnnxModel is { } file ? Models.Onnx.OnnxExporter.OpenPredictor(model, file)
                : Models.Onnx.OnnxExporter.CreatePredictor(model);
        }
        catch
        {
            DisposeFaceReaders();
            throw;
        }
    }

    // A variant shares its parent's model and ONNX session (built without one of its own); only the parent releases them.
    private EmotionRecognizer(EmotionRecognizer parent, RecognizerOptions options) : this(parent.Model, options with { Backend = InferenceBackend.Torch, OnnxModel = null })
    {
        _ownsModel = false;
        _ownsOnnx = false;
        _onnx = parent._onnx;
        Options = options;
    }

    /// <summary>
    /// A recognizer over this one's model with other detection options (e.g. per HTTP request). It does not own the
    /// model: dispose it before this one. The precision stays this recognizer's (the model is compiled once).
    /// </summary>
    public EmotionRecognizer WithOptions(RecognizerOptions options) => new(this, options with { Precision = Options.Precision, Backend = Options.Backend, OnnxModel = Options.OnnxModel });


    /// <summary>The model that classifies the faces.</summary>
    public EmotionModel Model { get; }
    /// <summary>How faces are found and classified.</summary>
    public RecognizerOptions Options { get; }
    /// <summary>The emotions the model tells apart.</summary>
    public IReadOnlyList<string> ClassNames => Model.ClassNames;

    private int InputSize => Model.InputSize;

    /// <summary>The bundled default model (FER2013, 7 emotions).</summary>
    public static EmotionRecognizer LoadDefault(RecognizerOptions? options = null) => new(DefaultModel.Load(options?.Precision ?? InferencePrecision.Auto), options);

    /// <summary>A model file written by <c>mien train</c>.</summary>
    public static EmotionRecognizer Load(string modelPath, RecognizerOptions? options = null) => new(EmotionModel.Load(modelPath, options?.Precision ?? InferencePrecision.Auto), options);

    private float[][] Probabilities(ReadOnlySpan<byte> faces, int count, bool flipAverage) =>
        _onnx is { } onnx ? onnx.PredictProbabilities(faces, count, flipAverage) : Model.PredictProbabilities(faces, count, flipAverage);

    /// <summary>Releases the model and the detector.</summary>
    public void Dispose()
    {
        if (_ownsOnnx) _onnx?.Dispose();
        DisposeFaceReaders();
        if (_ownsModel) Model.Dispose();
    }
}

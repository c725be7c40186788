namespace Mien.Inference;

/// <summary>
/// Finds the faces in a photo and says what each one feels, with ONNX Runtime (no LibTorch). The same API as the Mien
/// package's EmotionRecognizer for prediction: faces are found, cropped and reported by the same code.
/// Thread-safe: one instance can serve many concurrent callers.
/// <code>
/// using var recognizer = EmotionRecognizer.LoadDefault();
/// foreach (var face in recognizer.Predict("photo.jpg").Faces) Console.WriteLine($"{face.Box}: {face.Emotion}");
/// </code>
/// </summary>
public sealed partial class EmotionRecognizer : IDisposable
{
    /// <summary>A recognizer over a loaded model (it takes ownership of it).</summary>
    public EmotionRecognizer(OnnxEmotionModel model, RecognizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Options = options ?? new RecognizerOptions();
        (_detector, _crop) = OpenFaceReaders(Options, model.FaceMargin, model.InputSize);
    }

    /// <summary>The model that classifies the faces.</summary>
    public OnnxEmotionModel Model { get; }
    /// <summary>How faces are found and classified.</summary>
    public RecognizerOptions Options { get; }
    /// <summary>The emotions the model tells apart.</summary>
    public IReadOnlyList<string> ClassNames => Model.ClassNames;

    private int InputSize => Model.InputSize;

    /// <summary>The bundled model (Mien's default model exported to ONNX; FER2013, 7 emotions).</summary>
    public static EmotionRecognizer LoadDefault(RecognizerOptions? options = null) => new(OnnxEmotionModel.LoadDefault(options?.Threads ?? 0), options);

    /// <summary>An .onnx file written by <c>mien export --onnx</c>.</summary>
    public static EmotionRecognizer Load(string modelPath, RecognizerOptions? options = null) => new(OnnxEmotionModel.Load(modelPath, options?.Threads ?? 0), options);

    private float[][] Probabilities(ReadOnlySpan<byte> faces, int count, bool flipAverage) => Model.Predictor.PredictProbabilities(faces, count, flipAverage);

    /// <summary>Releases the model and the detector.</summary>
    public void Dispose()
    {
        DisposeFaceReaders();
        Model.Dispose();
    }
}

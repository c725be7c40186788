namespace Mien.Inference;

/// <summary>How an <see cref="EmotionRecognizer"/> finds and reads faces.</summary>
public sealed partial record RecognizerOptions
{
    /// <summary>ONNX Runtime's intra-op threads when <see cref="EmotionRecognizer.Load"/> or <see cref="EmotionRecognizer.LoadDefault"/> reads the model (0: its default).</summary>
    public int Threads { get; init; }
}

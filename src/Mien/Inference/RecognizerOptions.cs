using Mien.Models;

namespace Mien.Inference;

/// <summary>How an <see cref="EmotionRecognizer"/> finds and reads faces.</summary>
public sealed partial record RecognizerOptions
{
    /// <summary>
    /// Number format of the network when <see cref="EmotionRecognizer.Load"/> or <see cref="EmotionRecognizer.LoadDefault"/>
    /// reads the model (Auto: bfloat16 where the CPU has native support). A model passed in keeps its own.
    /// </summary>
    public InferencePrecision Precision { get; init; }

    /// <summary>
    /// The engine the network runs on: LibTorch (default) or ONNX Runtime (the model exported in memory at load,
    /// float32; <see cref="Precision"/> then only affects how the weights are read).
    /// </summary>
    public InferenceBackend Backend { get; init; }

    /// <summary>
    /// With <see cref="InferenceBackend.Onnx"/>: an .onnx file of this model to run instead of the export made in memory,
    /// e.g. the int8 graph of <c>mien export --onnx m.int8.onnx --int8</c>. Its class names and input size must be the
    /// model's; the model still provides the face margin and Grad-CAM. Null: export in memory (float32).
    /// </summary>
    public string? OnnxModel { get; init; }
}

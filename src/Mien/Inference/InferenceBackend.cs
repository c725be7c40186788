namespace Mien.Inference;

/// <summary>The engine an <see cref="EmotionRecognizer"/> runs its network on.</summary>
public enum InferenceBackend
{
    /// <summary>LibTorch (TorchSharp), with the compiled inference plan of a loaded model.</summary>
    Torch,
    /// <summary>ONNX Runtime, on the model exported in memory (<see cref="Models.Onnx.OnnxExporter"/>, float32) or on an exported file (<see cref="RecognizerOptions.OnnxModel"/>, e.g. int8).</summary>
    Onnx,
}

namespace Mien.Models.Onnx;

/// <summary>What <see cref="OnnxQuantizer"/> did to a graph.</summary>
/// <param name="CalibrationFaces">Faces the float32 graph ran on to measure activation ranges.</param>
/// <param name="QuantizedOperators">Conv and Gemm nodes given int8 weights (DequantizeLinear on int8 initializers).</param>
/// <param name="QuantizedActivations">Activation tensors given a QuantizeLinear -> DequantizeLinear pair.</param>
/// <param name="Description">The text stored in the file's <c>quantization</c> metadata_props entry.</param>
public sealed record OnnxQuantizationSummary(int CalibrationFaces, int QuantizedOperators, int QuantizedActivations, string Description);

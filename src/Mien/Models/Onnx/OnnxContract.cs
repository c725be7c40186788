namespace Mien.Models.Onnx;

/// <summary>
/// The names an exported .onnx file is read by: its input and outputs and the metadata_props keys (docs/ONNX.md).
/// Shared, as a linked file, by the writer (<c>OnnxExporter</c>, Mien) and the readers (<see cref="OnnxPredictor"/>
/// here and in Mien.Onnx), so the two sides cannot drift apart.
/// </summary>
internal static class OnnxContract
{
    public const string InputName = "pixels";
    public const string LogitsName = "logits";
    public const string ProbabilitiesName = "probabilities";

    public const string ClassNamesKey = "class_names";
    public const string InputSizeKey = "input_size";
    public const string FaceMarginKey = "face_margin";
    public const string ModelNameKey = "model_name";
    /// <summary>Present in int8 files only (<c>mien export --int8</c>): how the graph was quantised.</summary>
    public const string QuantizationKey = "quantization";
}

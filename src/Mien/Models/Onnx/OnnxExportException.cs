namespace Mien.Models.Onnx;

/// <summary>A network (or a layer of it) that the ONNX exporter cannot translate, or an output that cannot be written.</summary>
public sealed class OnnxExportException(string message, Exception? inner = null) : IO.MienException(message, inner);

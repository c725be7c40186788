namespace Mien.Models.Onnx;

/// <summary>How <see cref="OnnxQuantizer"/> turns a float32 export into an int8 QDQ graph (docs/ONNX.md, "int8").</summary>
public sealed record OnnxQuantizationOptions
{
    /// <summary>Calibration faces the float32 graph is run on to measure activation ranges (taken evenly from the dataset's training split).</summary>
    public int CalibrationCount { get; init; } = 500;

    /// <summary>
    /// How an activation's range is taken from the calibration faces: <see cref="OnnxCalibrationMethod.MinMax"/> (ONNX
    /// Runtime's default) or <see cref="OnnxCalibrationMethod.Percentile"/> (clips the rarest extremes, <see cref="Percentile"/>).
    /// </summary>
    public OnnxCalibrationMethod Method { get; init; } = OnnxCalibrationMethod.MinMax;

    /// <summary>For <see cref="OnnxCalibrationMethod.Percentile"/>: the share (in %) of calibration values kept inside the range, per tail.</summary>
    public double Percentile { get; init; } = 99.999;

    /// <summary>
    /// Weights in 7 bits (-63..63) instead of 8. For CPUs without VNNI (AVX2 only), whose u8 x s8 kernels can saturate
    /// 16-bit sums with full-range weights (ONNX Runtime's <c>reduce_range</c>).
    /// </summary>
    public bool ReduceRange { get; init; }

    /// <summary>Faces per ONNX Runtime call during calibration.</summary>
    public int BatchSize { get; init; } = 64;
}

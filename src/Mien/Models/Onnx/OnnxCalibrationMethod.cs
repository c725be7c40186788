namespace Mien.Models.Onnx;

/// <summary>How an activation's quantisation range is measured on the calibration faces.</summary>
public enum OnnxCalibrationMethod
{
    /// <summary>The smallest and largest value seen (ONNX Runtime's default calibrator).</summary>
    MinMax,
    /// <summary>The lower and upper percentiles of the values seen (<see cref="OnnxQuantizationOptions.Percentile"/>), so rare outliers do not widen the steps.</summary>
    Percentile,
}

using Mien.Data;
using Mien.Models;
using Mien.Models.Onnx;

namespace Mien.Experiments;

/// <summary>
/// <c>mien export --onnx out.onnx --int8 --calibration-data DATASET</c>: calibration faces read from a dataset by the
/// same loader (and so the same decoding and resizing) as training and evaluation, then <see cref="OnnxQuantizer.ExportInt8"/>.
/// </summary>
public static class Int8Export
{
    /// <summary>Quantises <paramref name="model"/> to an int8 QDQ file at <paramref name="path"/>, calibrated on <paramref name="calibrationDataset"/>'s training faces.</summary>
    /// <exception cref="MienDataException">The calibration dataset is missing, unreadable or empty (the message says it is the calibration data).</exception>
    public static OnnxQuantizationSummary Run(EmotionModel model, string path, string calibrationDataset, OnnxQuantizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxQuantizationOptions();
        var faces = LoadCalibrationFaces(calibrationDataset, model.InputSize, options.CalibrationCount);
        return OnnxQuantizer.ExportInt8(model, path, faces.Pixels, $"{calibrationDataset} ({(faces.HasSplit("train") ? "train split" : "all splits")})", options);
    }

    /// <summary>
    /// <paramref name="count"/> faces spread evenly over the dataset's training split (the whole dataset if it has none),
    /// so that its test split stays unseen, decoded to <paramref name="imageSize"/>.
    /// </summary>
    /// <exception cref="MienDataException">The dataset is missing, unreadable or empty.</exception>
    public static FaceDataset LoadCalibrationFaces(string dataset, int imageSize, int count)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        FaceDataset data;
        try
        {
            // Twice the count (every k-th item keeps the split mix), so that the training part alone has enough.
            data = DatasetLoader.Load(dataset, new DatasetLoadOptions { ImageSize = imageSize, Limit = count * 2 });
        }
        catch (MienDataException e)
        {
            throw new MienDataException($"Calibration data: {e.Message}", e);
        }
        var pool = data.HasSplit("train") ? data.IndicesOfSplit("train") : Enumerable.Range(0, data.Count).ToArray();
        int n = Math.Min(count, pool.Length);
        double step = (double)pool.Length / n;
        return data.Subset(Enumerable.Range(0, n).Select(i => pool[(int)(i * step)]).ToArray());
    }
}

using Mien.Data;
using Mien.Experiments;
using Mien.Inference;
using Mien.Models;
using Mien.Models.Onnx;

namespace Mien.Tests.Models;

/// <summary>
/// The bundled model exported once per test run as float32 ONNX and as int8 QDQ (calibrated on 500 faces of FER2013's
/// train split, as `mien export --int8 --calibration-data fer2013.zip` does), and a fixed subset of 1,000 of the 3,589
/// PublicTest faces (every ~3.6th image) to score them on: the full split takes ~30 s per engine on this machine, the
/// subset ~3 s. The full-split figures are in docs/ONNX.md.
/// </summary>
internal static class BundledInt8
{
    private static readonly Lazy<(string Dir, string Fp32, string Int8, OnnxQuantizationSummary Summary)> Files = new(() =>
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mien-test-int8-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, true); } catch (IOException) { } };
        using var model = DefaultModel.Load(InferencePrecision.Float32);
        string fp32 = Path.Combine(dir, "bundled.onnx"), int8 = Path.Combine(dir, "bundled.int8.onnx");
        OnnxExporter.Export(model, fp32);
        var summary = Int8Export.Run(model, int8, TestData.Fer2013Zip);
        return (dir, fp32, int8, summary);
    });

    private static readonly Lazy<FaceDataset> Faces = new(() =>
        DatasetLoader.Load(TestData.Fer2013PublicTestZip, new DatasetLoadOptions { Limit = 1000, ImageSize = 48 }));

    public static string Fp32Path => Files.Value.Fp32;
    public static string Int8Path => Files.Value.Int8;
    public static OnnxQuantizationSummary Summary => Files.Value.Summary;

    /// <summary>1,000 FER2013 PublicTest faces, 48x48 (a fixed subset: every ~3.6th image of the split).</summary>
    public static FaceDataset PublicTest1000 => Faces.Value;
}

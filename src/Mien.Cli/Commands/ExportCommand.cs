using System.CommandLine;
using Mien.Inference;
using Mien.Models;
using Mien.Models.Onnx;

namespace Mien.Cli.Commands;

/// <summary><c>mien export</c>: write a model for other runtimes, as ONNX (ONNX Runtime, OpenCV DNN) and/or a PyTorch state dict.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Argument<string?>("MODEL") { Description = "A trained .mien model file (default: the bundled model).", Arity = ArgumentArity.ZeroOrOne };
        var onnx = new Option<string?>("--onnx") { Description = "Write an ONNX model (opset 17) here: input 'pixels' N x 1 x S x S grey 0..255, outputs 'logits' and 'probabilities'. See docs/ONNX.md." };
        var pytorch = new Option<string?>("--pytorch") { Description = "Write the network's PyTorch state dict here (e.g. model.pt) and its metadata and spec beside it (model.json); docs/mien_pytorch.py loads them." };
        var int8 = new Option<bool>("--int8") { Description = "With --onnx: write an int8 QDQ graph (per-channel int8 weights, uint8 activations calibrated on --calibration-data; about a quarter of the size). See docs/ONNX.md." };
        var calibrationData = new Option<string?>("--calibration-data") { Description = "With --int8: a dataset (folder, .zip or CSV) whose training faces calibrate the activation ranges, e.g. ../shared/data/fer2013.zip." };
        var q = new OnnxQuantizationOptions();
        var calibrationCount = new Option<int>("--calibration-count") { Description = "With --int8: calibration faces, spread evenly over the dataset's training split.", DefaultValueFactory = _ => q.CalibrationCount };
        var calibration = new Option<OnnxCalibrationMethod>("--calibration") { Description = "With --int8: activation ranges from the min/max of the calibration faces' values, or their percentiles (--percentile).", DefaultValueFactory = _ => q.Method };
        var percentile = new Option<double>("--percentile") { Description = "With --calibration percentile: the share (%) of values kept inside each activation's range, per tail.", DefaultValueFactory = _ => q.Percentile };
        var cmd = new Command("export", "Export a model for other runtimes: ONNX (--onnx out.onnx; batch norm folded, dropout removed, normalisation and temperature in the graph; --int8 quantises it) and/or a PyTorch state dict (--pytorch out.pt).");
        cmd.Arguments.Add(model); cmd.Options.Add(onnx); cmd.Options.Add(pytorch);
        foreach (var o in new Option[] { int8, calibrationData, calibrationCount, calibration, percentile }) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            string? onnxPath = r.GetValue(onnx), torchPath = r.GetValue(pytorch), modelPath = r.GetValue(model);
            if (onnxPath is null && torchPath is null) throw new ArgumentException("Nothing to export: give --onnx out.onnx and/or --pytorch out.pt.");
            if (onnxPath is not null && Directory.Exists(onnxPath)) throw new ArgumentException($"--onnx '{onnxPath}' is a folder; give a file name such as {Path.Combine(onnxPath, "model.onnx")}.");
            if (torchPath is not null && Directory.Exists(torchPath)) throw new ArgumentException($"--pytorch '{torchPath}' is a folder; give a file name such as {Path.Combine(torchPath, "model.pt")}.");
            string? calibrationPath = r.GetValue(calibrationData);
            if (r.GetValue(int8) && onnxPath is null) throw new ArgumentException("--int8 quantises the ONNX export: give --onnx out.onnx too.");
            if (r.GetValue(int8) && calibrationPath is null) throw new ArgumentException("--int8 needs --calibration-data DATASET: faces to measure the activation ranges on (e.g. ../shared/data/fer2013.zip).");
            if (!r.GetValue(int8) && calibrationPath is not null) throw new ArgumentException("--calibration-data is for --int8 exports; add --int8.");
            if (r.GetValue(calibrationCount) < 1) throw new ArgumentException($"--calibration-count {r.GetValue(calibrationCount)}: give at least 1.");
            // Float32: the export reads the weights, not a bfloat16 inference plan.
            using var m = modelPath is null ? DefaultModel.Load(InferencePrecision.Float32) : EmotionModel.Load(modelPath, InferencePrecision.Float32);
            string name = modelPath ?? "the bundled model";
            if (onnxPath is not null && calibrationPath is not null)
            {
                var options = new OnnxQuantizationOptions { CalibrationCount = r.GetValue(calibrationCount), Method = r.GetValue(calibration), Percentile = r.GetValue(percentile) };
                var summary = Mien.Experiments.Int8Export.Run(m, onnxPath, calibrationPath, options);
                Console.WriteLine($"{name} ({m.Metadata.Spec.Name}, {m.ClassNames.Count} classes, {m.InputSize}x{m.InputSize}) exported to {onnxPath} as int8 " +
                                  $"({new FileInfo(onnxPath).Length / 1024.0:N0} KB, ONNX opset {OnnxExporter.Opset}): {summary.Description}");
            }
            else if (onnxPath is not null)
            {
                OnnxExporter.Export(m, onnxPath);
                Console.WriteLine($"{name} ({m.Metadata.Spec.Name}, {m.ClassNames.Count} classes, {m.InputSize}x{m.InputSize}) exported to {onnxPath} " +
                                  $"({new FileInfo(onnxPath).Length / 1024.0:N0} KB, ONNX opset {OnnxExporter.Opset})");
            }
            if (torchPath is not null)
            {
                PyTorchExporter.Export(m, torchPath);
                Console.WriteLine($"{name} state dict written to {torchPath}, its metadata and spec to {PyTorchExporter.MetadataPath(torchPath)}");
            }
            return 0;
        }, ct));
        return cmd;
    }
}

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
        var cmd = new Command("export", "Export a model for other runtimes: ONNX (--onnx out.onnx; batch norm folded, dropout removed, normalisation and temperature in the graph) and/or a PyTorch state dict (--pytorch out.pt).");
        cmd.Arguments.Add(model); cmd.Options.Add(onnx); cmd.Options.Add(pytorch);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            string? onnxPath = r.GetValue(onnx), torchPath = r.GetValue(pytorch), modelPath = r.GetValue(model);
            if (onnxPath is null && torchPath is null) throw new ArgumentException("Nothing to export: give --onnx out.onnx and/or --pytorch out.pt.");
            if (onnxPath is not null && Directory.Exists(onnxPath)) throw new ArgumentException($"--onnx '{onnxPath}' is a folder; give a file name such as {Path.Combine(onnxPath, "model.onnx")}.");
            if (torchPath is not null && Directory.Exists(torchPath)) throw new ArgumentException($"--pytorch '{torchPath}' is a folder; give a file name such as {Path.Combine(torchPath, "model.pt")}.");
            // Float32: the export reads the weights, not a bfloat16 inference plan.
            using var m = modelPath is null ? DefaultModel.Load(InferencePrecision.Float32) : EmotionModel.Load(modelPath, InferencePrecision.Float32);
            string name = modelPath ?? "the bundled model";
            if (onnxPath is not null)
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

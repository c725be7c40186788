using System.CommandLine;
using Mien.Models;

namespace Mien.Cli.Commands;

/// <summary><c>mien models</c>: the registered presets with their size and cost.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var classes = new Option<int>("--classes") { Description = "Number of output classes to size the classifier for.", DefaultValueFactory = _ => 7 };
        var show = new Option<string?>("--show") { Description = "Print one preset's or backbone's JSON layer spec (a starting point for your own: mien models --show X > my.json; train --model my.json), its layers on stderr." };
        var names = new Option<bool>("--names") { Description = "Only the preset names (not the backbones), one per line (for scripts)." };
        var size = new Option<int?>("--image-size") { Description = "Size the backbones for this input side (48..224) instead of their default." };
        var cmd = new Command("models", "List the model presets and backbones (TorchVision, and ONNX-imported resnet18-cntk) with parameter counts and FLOPs per face.");
        cmd.Options.Add(classes); cmd.Options.Add(show); cmd.Options.Add(names); cmd.Options.Add(size);
        cmd.SetAction((r, ct) => CliErrors.Run(_ =>
        {
            int k = r.GetValue(classes);
            if (r.GetValue(names))
            {
                foreach (var n in ModelZoo.Names) Console.WriteLine(n);
                return 0;
            }
            if (r.GetValue(show) is { } name)
            {
                var spec = Sized(ModelZoo.GetSpec(name), r.GetValue(size));
                var s = ModelBuilder.Summarize(spec, k);
                // The layer table goes to stderr, so that 'mien models --show X > spec.json' is a spec file train --model reads.
                foreach (var l in s.Layers) Console.Error.WriteLine($"{l.Layer,-36} {l.OutputShape,-12} {l.Parameters,10:N0} params {l.MultiplyAdds,14:N0} MACs");
                Console.Error.WriteLine($"total {s.Parameters:N0} parameters, {s.Flops / 1e6:F1} MFLOPs per face");
                Console.WriteLine(spec.ToJson());
                return 0;
            }
            Console.WriteLine($"{"preset",-20}{"input",6}{"parameters",13}{"MFLOPs/face",13}  description");
            foreach (var n in ModelZoo.Names) Row(n + (n == ModelZoo.DefaultPreset ? "*" : ""), ModelZoo.GetSpec(n), k);
            // Each is built once to be counted (VGG's torchvision builder makes its 120 M-parameter classifier first): a few seconds.
            Console.WriteLine($"\n{"backbone",-20}{"input",6}{"parameters",13}{"MFLOPs/face",13}  description");
            foreach (var n in ModelZoo.BackboneNames) Row(n, Sized(ModelZoo.GetSpec(n), r.GetValue(size)), k);
            // Imported from ONNX: needs the .onnx file of its NuGet package (restored by the build) to be listed.
            foreach (var n in Mien.Models.Onnx.OnnxBackbones.Names)
                if (Mien.Models.Onnx.OnnxBackbones.FindCntkResNet18() is not null) Row(n, Sized(ModelZoo.GetSpec(n), r.GetValue(size)), k);
                else Console.WriteLine($"{n,-20} (ResNet18.onnx of NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 not found: run ./setup.sh)");
            Console.WriteLine("\n* default. Any of these, or a JSON layer spec file, can be passed to --model. Backbones take --image-size " +
                              $"{Mien.Models.Backbones.MinInputSize}..{Mien.Models.Backbones.MaxInputSize} (inception_v3 75..) and pretrained weights with --weights (torchvision files; resnet18-cntk: --weights imagenet); " +
                              "their FLOPs are counted at the input size shown.");
            return 0;
        }, ct));
        return cmd;
    }

    private static ModelSpec Sized(ModelSpec spec, int? size) => size is { } n && ModelZoo.IsBackbone(spec) ? spec with { InputSize = n } : spec;

    private static void Row(string label, ModelSpec spec, int classes)
    {
        var s = ModelBuilder.Summarize(spec, classes);
        Console.WriteLine($"{label,-20}{spec.InputSize,6}{s.Parameters,13:N0}{s.Flops / 1e6,13:F1}  {spec.Description}");
    }
}

using System.CommandLine;
using Mien.Models;

namespace Mien.Cli.Commands;

/// <summary><c>mien models</c>: the registered presets with their size and cost.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var classes = new Option<int>("--classes") { Description = "Number of output classes to size the classifier for.", DefaultValueFactory = _ => 7 };
        var show = new Option<string?>("--show") { Description = "Print one preset's layers and its JSON layer spec (a starting point for your own)." };
        var names = new Option<bool>("--names") { Description = "Only the preset names, one per line (for scripts)." };
        var cmd = new Command("models", "List the model presets with parameter counts and FLOPs per face.");
        cmd.Options.Add(classes); cmd.Options.Add(show); cmd.Options.Add(names);
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
                var spec = ModelZoo.GetSpec(name);
                var s = ModelBuilder.Summarize(spec, k);
                foreach (var l in s.Layers) Console.WriteLine($"{l.Layer,-36} {l.OutputShape,-12} {l.Parameters,10:N0} params {l.MultiplyAdds,14:N0} MACs");
                Console.WriteLine($"total {s.Parameters:N0} parameters, {s.Flops / 1e6:F1} MFLOPs per face\n");
                Console.WriteLine(spec.ToJson());
                return 0;
            }
            Console.WriteLine($"{"preset",-15}{"parameters",12}{"MFLOPs/face",13}  description");
            foreach (var n in ModelZoo.Names)
            {
                var spec = ModelZoo.GetSpec(n);
                var s = ModelBuilder.Summarize(spec, k);
                Console.WriteLine($"{n + (n == ModelZoo.DefaultPreset ? "*" : ""),-15}{s.Parameters,12:N0}{s.Flops / 1e6,13:F1}  {spec.Description}");
            }
            Console.WriteLine("\n* default. Any of these, or a JSON layer spec file, can be passed to --model.");
            return 0;
        }, ct));
        return cmd;
    }
}

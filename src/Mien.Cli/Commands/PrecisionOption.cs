using System.CommandLine;
using Mien.Models;

namespace Mien.Cli.Commands;

/// <summary><c>--precision auto|fp32|bf16</c>, shared by the commands that run a trained model.</summary>
internal static class PrecisionOption
{
    public static Option<InferencePrecision> Create() => new("--precision")
    {
        Description = "Number format of the network: auto (where the CPU has native bfloat16, whichever of bf16 and fp32 is faster for this network, measured once and cached in ~/.cache/mien; else fp32), fp32 or bf16.",
        DefaultValueFactory = _ => InferencePrecision.Auto,
        CustomParser = r => r.Tokens.Count == 0 ? InferencePrecision.Auto : Parse(r.Tokens[0].Value, r),
    };

    private static InferencePrecision Parse(string value, System.CommandLine.Parsing.ArgumentResult r)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "auto": return InferencePrecision.Auto;
            case "fp32" or "float32": return InferencePrecision.Float32;
            case "bf16" or "bfloat16": return InferencePrecision.BFloat16;
            default:
                r.AddError($"--precision: '{value}' is not auto, fp32 or bf16.");
                return InferencePrecision.Auto;
        }
    }

    /// <summary>"fp32" / "bf16", or "fp32 (live network)" for a model that was not compiled.</summary>
    public static string Describe(EmotionModel model) => model.Precision switch
    {
        InferencePrecision.BFloat16 => "bf16",
        InferencePrecision.Float32 => "fp32",
        _ => "fp32 (uncompiled)",
    };
}

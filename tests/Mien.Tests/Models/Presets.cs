using Mien.Models;

namespace Mien.Tests.Models;

/// <summary>Theory data from the model registry: a preset added to <see cref="ModelZoo"/> is tested without editing the tests.</summary>
public static class Presets
{
    public static TheoryData<string> All => [.. ModelZoo.Names.Order()];

    public static TheoryData<string, InferencePrecision, double> WithPrecisions
    {
        get
        {
            var data = new TheoryData<string, InferencePrecision, double>();
            // fp32: the same function up to float rounding; bf16: ~3 significant digits.
            foreach (var name in ModelZoo.Names.Order()) { data.Add(name, InferencePrecision.Float32, 1e-4); data.Add(name, InferencePrecision.BFloat16, 0.05); }
            return data;
        }
    }
}

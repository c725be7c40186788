using Mien.Models;

namespace Mien.Inference;

/// <summary>
/// The model bundled inside Mien.dll (trained by <c>mien train</c> on FER2013; see docs/MODEL_CARD.md), so
/// predicting needs no download.
/// </summary>
public static class DefaultModel
{
    internal const string ResourceName = "Mien.default.mien";

    /// <summary>True when this build carries the bundled model.</summary>
    public static bool IsAvailable => typeof(DefaultModel).Assembly.GetManifestResourceInfo(ResourceName) is not null;

    /// <summary>Loads the bundled model, compiled for prediction (see <see cref="EmotionModel.Load"/>).</summary>
    public static EmotionModel Load(InferencePrecision precision = InferencePrecision.Auto)
    {
        using var s = typeof(DefaultModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new ModelFormatException("This build of Mien has no bundled default model (models/mien-default.mien was missing at build time). Pass a model file with --model.");
        string tmp = Path.Combine(Path.GetTempPath(), $"mien-default-{Environment.ProcessId}-{Guid.NewGuid():N}.mien");
        try
        {
            using (var f = File.Create(tmp)) s.CopyTo(f);
            return EmotionModel.Load(tmp, precision);
        }
        finally { File.Delete(tmp); }
    }
}

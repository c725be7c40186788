using ScottPlot;
using SkiaSharp;

namespace Mien.Reporting;

/// <summary>
/// Makes ScottPlot draw its text with the DejaVu Sans subset embedded in Mien.dll. ScottPlot's SkiaSharp build
/// (.NoDependencies) only finds fonts under /usr/share/fonts, so on a machine without a fonts package every title
/// and tick label would silently come out blank; with the embedded font plots look the same on every machine.
/// </summary>
internal static class PlotFonts
{
    public const string Family = "Mien Sans";
    private static readonly object Gate = new();
    private static bool _registered;

    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            Fonts.FontResolvers.Insert(0, new EmbeddedResolver());
            // Plottables read Fonts.Default when created (ScottPlot's own FontStyler.Set changes it the same way).
            Fonts.Default = Family;
            _registered = true;
        }
    }

    /// <summary>Answers only for <see cref="Family"/>, so other ScottPlot users in the process keep their fonts.</summary>
    private sealed class EmbeddedResolver : IFontResolver
    {
        private readonly byte[] _regular = Read("DejaVuSans.ttf"), _bold = Read("DejaVuSans-Bold.ttf");

        private static byte[] Read(string file)
        {
            using var s = typeof(PlotFonts).Assembly.GetManifestResourceStream("Mien.Fonts." + file)
                          ?? throw new InvalidOperationException($"Embedded font {file} is missing from Mien.dll.");
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return ms.ToArray();
        }

        // A new typeface per request: ScottPlot caches what it gets and owns it.
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == Family ? SKTypeface.FromData(SKData.CreateCopy(bold ? _bold : _regular)) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            CreateTypeface(fontName, weight >= FontWeight.SemiBold, slant != FontSlant.Upright);
    }
}

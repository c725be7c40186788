using System.Text.RegularExpressions;

namespace Mien.Data;

/// <summary>
/// Extracts subject identities from file names. CK+ names frames <c>S010_004_00000017.png</c>
/// (subject S010, sequence 004, frame 17); grouping by subject is what makes a CK+ split honest.
/// </summary>
internal static partial class SubjectIdParser
{
    [GeneratedRegex(@"^(S\d{3})_(\d{3})_(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex CkPlusPattern();

    /// <summary>The subject id ("S010") or null when the name carries none.</summary>
    public static string? Parse(string fileName)
    {
        var m = CkPlusPattern().Match(Path.GetFileName(fileName));
        return m.Success ? m.Groups[1].Value : null;
    }
}

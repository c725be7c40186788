namespace Mien.Data;

/// <summary>
/// The canonical emotion vocabulary. Datasets spell the same emotion differently (CK+ "anger", FER2013
/// "angry", others "happiness", "sad"...); every class name is mapped to one canonical name here so that
/// models trained on one dataset can be compared with, or evaluated on, another.
/// </summary>
public static class EmotionVocabulary
{
    /// <summary>Canonical names in the conventional FER2013 order, plus CK+'s contempt.</summary>
    public static IReadOnlyList<string> Canonical { get; } =
        ["anger", "disgust", "fear", "happy", "sadness", "surprise", "neutral", "contempt"];

    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["anger"] = "anger", ["angry"] = "anger", ["an"] = "anger", ["mad"] = "anger",
        ["disgust"] = "disgust", ["disgusted"] = "disgust", ["di"] = "disgust",
        ["fear"] = "fear", ["fearful"] = "fear", ["afraid"] = "fear", ["scared"] = "fear", ["fe"] = "fear",
        ["happy"] = "happy", ["happiness"] = "happy", ["joy"] = "happy", ["ha"] = "happy", ["smile"] = "happy",
        ["sad"] = "sadness", ["sadness"] = "sadness", ["sa"] = "sadness",
        ["surprise"] = "surprise", ["surprised"] = "surprise", ["su"] = "surprise",
        ["neutral"] = "neutral", ["calm"] = "neutral", ["ne"] = "neutral",
        ["contempt"] = "contempt", ["co"] = "contempt",
    };

    /// <summary>FER2013 CSV's integer codes 0..6.</summary>
    public static IReadOnlyList<string> Fer2013Codes { get; } =
        ["anger", "disgust", "fear", "happy", "sadness", "surprise", "neutral"];

    /// <summary>
    /// Maps a dataset's class name to the canonical name. Unknown names (a user's own classes) are kept,
    /// trimmed and lower-cased, so any class-per-folder tree still works.
    /// </summary>
    public static string Normalize(string className)
    {
        string key = className.Trim().Replace('-', '_').Replace(' ', '_');
        return Synonyms.TryGetValue(key, out var canonical) ? canonical : key.ToLowerInvariant();
    }

    /// <summary>True when the name (after normalisation) is one of the canonical emotions.</summary>
    public static bool IsKnown(string className) => Synonyms.ContainsKey(className.Trim());

    /// <summary>Orders class names: canonical emotions first in canonical order, then others alphabetically.</summary>
    public static List<string> Order(IEnumerable<string> names) =>
        names.Distinct().OrderBy(n =>
        {
            int i = ((IList<string>)Canonical).IndexOf(n);
            return i < 0 ? int.MaxValue : i;
        }).ThenBy(n => n, StringComparer.Ordinal).ToList();
}

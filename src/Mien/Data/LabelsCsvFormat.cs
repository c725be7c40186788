using System.Globalization;
using Sylvan.Data.Csv;

namespace Mien.Data;

/// <summary>
/// An image list with labels, the way RAF-DB, AffectNet or ExpW lists and many hand-made datasets ship: a CSV whose header
/// names an image column (<c>path</c>, <c>image</c>, <c>file</c>...) and either a label column (<c>label</c>, <c>emotion</c>,
/// <c>class</c>...) holding class names, or one column per emotion holding vote counts or probabilities (then the
/// distribution is the target and its top class the label). Optional columns: <c>split</c>/<c>usage</c> and
/// <c>subject</c>/<c>person</c>. Image paths are relative to the CSV's folder. Rows with a missing image or a bad value
/// are skipped and reported.
/// </summary>
internal sealed class LabelsCsvFormat : IDatasetFormat
{
    private static readonly string[] PathColumns = ["path", "image", "image_path", "file", "filename", "file_name", "img", "image_name"];
    private static readonly string[] LabelColumns = ["label", "emotion", "class", "expression", "category", "class_name"];
    private static readonly string[] SplitColumns = ["split", "usage", "set", "subset", "partition"];
    private static readonly string[] SubjectColumns = ["subject", "person", "identity", "subject_id", "person_id"];

    public string Name => "labels CSV";

    public bool CanRead(IFileTree tree) => Candidates(tree).Any();

    private static IEnumerable<(FileEntry File, Layout Layout)> Candidates(IFileTree tree) =>
        from f in tree.Files
        where tree.Focus is null ? f.RelativePath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) : f.RelativePath == tree.Focus
        let layout = Layout.Of(f)
        where layout is not null
        select (f, layout!);

    public IEnumerable<RawSample> Read(IFileTree tree, List<DataProblem> problems)
    {
        var files = tree.Files.ToDictionary(f => f.RelativePath, StringComparer.Ordinal);
        foreach (var (csvFile, layout) in Candidates(tree))
        {
            string folder = Path.GetDirectoryName(csvFile.RelativePath)?.Replace('\\', '/') ?? "";
            using var reader = new StreamReader(csvFile.Open());
            using var csv = CsvDataReader.Create(reader);
            int row = 1;
            while (csv.Read())
            {
                row++;
                string where = $"{csvFile.RelativePath} line {row}";
                string rel = csv.GetString(layout.Path).Trim().Replace('\\', '/');
                if (rel.Length == 0) { problems.Add(new(where, "no image path")); continue; }
                string path = folder.Length > 0 && files.ContainsKey($"{folder}/{rel}") ? $"{folder}/{rel}" : rel;
                if (!files.TryGetValue(path, out var image)) { problems.Add(new(where, $"image '{rel}' is not in '{tree.Origin}'")); continue; }
                string? split = layout.Split is int si ? SplitName(csv.GetString(si)) : null;
                string? subject = layout.Subject is int pi && csv.GetString(pi).Trim() is { Length: > 0 } subj ? subj : SubjectIdParser.Parse(path);
                if (layout.Label is int li)
                {
                    string label = csv.GetString(li).Trim();
                    if (label.Length == 0) { problems.Add(new(where, "empty label")); continue; }
                    yield return new RawSample(path, label, subject, split, image.ReadImageBytes);
                    continue;
                }
                var votes = new Dictionary<string, float>();
                string? bad = null;
                foreach (var (column, name) in layout.Votes)
                {
                    string text = csv.GetString(column);
                    if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || v < 0 || !float.IsFinite(v)) { bad = $"'{name}' is '{text}', not a number ≥ 0"; break; }
                    if (v > 0) votes[name] = votes.GetValueOrDefault(name) + v;
                }
                if (bad is not null) { problems.Add(new(where, bad)); continue; }
                if (votes.Count == 0) { problems.Add(new(where, "no votes for any class")); continue; }
                yield return new RawSample(path, votes.MaxBy(v => v.Value).Key, subject, split, image.ReadImageBytes, Votes: votes);
            }
        }
    }

    private static string SplitName(string s) => s.Trim().ToLowerInvariant() switch
    {
        "train" or "training" => "train",
        "val" or "valid" or "validation" or "publictest" => "validation",
        "test" or "testing" or "privatetest" => "test",
        "" => "train",
        var other => other,
    };

    /// <summary>Which columns hold what, from a CSV's header; null when the header is not an image list.</summary>
    private sealed record Layout(int Path, int? Label, IReadOnlyList<(int Column, string Name)> Votes, int? Split, int? Subject)
    {
        public static Layout? Of(FileEntry f)
        {
            string[] header;
            try
            {
                using var reader = new StreamReader(f.Open());
                using var csv = CsvDataReader.Create(reader);
                header = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetName(i).Trim().ToLowerInvariant()).ToArray();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or CsvFormatException) { return null; }
            if (header.Contains("pixels")) return null; // a FER2013 CSV
            int? Find(string[] names) => Array.FindIndex(header, h => names.Contains(h)) is var i and >= 0 ? i : null;
            if (Find(PathColumns) is not int path) return null;
            var votes = header.Select((h, i) => (i, h)).Where(x => x.i != path && EmotionVocabulary.IsKnown(x.h))
                .Select(x => (x.i, EmotionVocabulary.Normalize(x.h))).ToList();
            int? label = Find(LabelColumns);
            if (label is null && votes.Count < 2) return null;
            return new Layout(path, label, votes, Find(SplitColumns), Find(SubjectColumns));
        }
    }
}

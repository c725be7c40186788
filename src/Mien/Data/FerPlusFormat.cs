using System.Globalization;
using Sylvan.Data.Csv;

namespace Mien.Data;

/// <summary>
/// Microsoft's FERPlus layout: <c>FER2013Train/</c>, <c>FER2013Valid/</c> (and <c>FER2013Test/</c>), each holding PNGs
/// and a header-less <c>label.csv</c> of <c>image,"(x, y, w, h)",neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF</c>
/// vote counts from ten annotators. Each face gets its vote distribution over the eight emotions as its target and
/// the top emotion as its label; faces whose top vote is "unknown" or "not a face" are left out, as the FER+ paper does.
/// </summary>
internal sealed class FerPlusFormat : IDatasetFormat
{
    /// <summary>The emotion columns of label.csv, in file order (canonical names).</summary>
    public static IReadOnlyList<string> VoteColumns { get; } = ["neutral", "happy", "surprise", "sadness", "anger", "disgust", "fear", "contempt"];

    private static readonly Dictionary<string, string> Splits = new(StringComparer.OrdinalIgnoreCase)
    {
        ["FER2013Train"] = "train", ["FER2013Valid"] = "validation", ["FER2013Test"] = "test",
    };

    public string Name => "FER+ votes";

    public bool CanRead(IFileTree tree) => LabelFiles(tree).Any();

    private static IEnumerable<(FileEntry File, string Folder, string Split)> LabelFiles(IFileTree tree) =>
        from f in tree.Files
        where Path.GetFileName(f.RelativePath).Equals("label.csv", StringComparison.OrdinalIgnoreCase)
        let folder = Path.GetDirectoryName(f.RelativePath)?.Replace('\\', '/') ?? ""
        where Splits.ContainsKey(Path.GetFileName(folder))
        select (f, folder, Splits[Path.GetFileName(folder)]);

    public IEnumerable<RawSample> Read(IFileTree tree, List<DataProblem> problems)
    {
        var files = tree.Files.ToDictionary(f => f.RelativePath, StringComparer.Ordinal);
        int unknown = 0, notFace = 0;
        foreach (var (labels, folder, split) in LabelFiles(tree))
        {
            using var reader = new StreamReader(labels.Open());
            using var csv = CsvDataReader.Create(reader, new CsvDataReaderOptions { HasHeaders = false });
            int row = 0;
            while (csv.Read())
            {
                row++;
                string where = $"{labels.RelativePath} line {row}";
                if (csv.FieldCount < 2 + VoteColumns.Count + 2) { problems.Add(new(where, $"{csv.FieldCount} fields, expected 12 (image, box, 10 vote counts)")); continue; }
                string name = csv.GetString(0).Trim();
                if (name.Length == 0) continue; // FERPlus leaves the name empty for images it did not generate
                var votes = new float[VoteColumns.Count + 2];
                string? bad = null;
                for (int k = 0; k < votes.Length && bad is null; k++)
                    if (!float.TryParse(csv.GetString(2 + k), NumberStyles.Float, CultureInfo.InvariantCulture, out votes[k]) || votes[k] < 0 || !float.IsFinite(votes[k]))
                        bad = $"vote count {k + 1} is '{csv.GetString(2 + k)}', not a number ≥ 0";
                if (bad is not null) { problems.Add(new(where, bad)); continue; }
                int top = Array.IndexOf(votes, votes.Max());
                if (votes.Max() <= 0) { problems.Add(new(where, "no votes")); continue; }
                if (top == VoteColumns.Count) { unknown++; continue; }
                if (top == VoteColumns.Count + 1) { notFace++; continue; }
                string path = folder.Length == 0 ? name : $"{folder}/{name}";
                if (!files.TryGetValue(path, out var image)) { problems.Add(new(where, $"image '{path}' is not in the dataset")); continue; }
                var distribution = new Dictionary<string, float>();
                for (int k = 0; k < VoteColumns.Count; k++) if (votes[k] > 0) distribution[VoteColumns[k]] = votes[k];
                yield return new RawSample(path, VoteColumns[top], null, split, image.ReadImageBytes, Votes: distribution);
            }
        }
        if (unknown + notFace > 0)
            problems.Add(new(tree.Origin, $"{unknown} faces whose top vote is 'unknown' and {notFace} voted 'not a face' left out (FER+ protocol)"));
    }
}

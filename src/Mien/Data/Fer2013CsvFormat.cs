namespace Mien.Data;

/// <summary>
/// The original FER2013 CSV: <c>emotion,pixels,Usage</c>, pixels as 2304 space-separated grey values (48x48),
/// emotion 0..6 = angry, disgust, fear, happy, sad, surprise, neutral; Usage Training / PublicTest / PrivateTest.
/// Bad rows are skipped and reported, not fatal.
/// </summary>
internal sealed class Fer2013CsvFormat : IDatasetFormat
{
    public string Name => "FER2013 CSV";

    public bool CanRead(IFileTree tree) => FindCsv(tree) is not null;

    private static FileEntry? FindCsv(IFileTree tree) =>
        tree.Files.FirstOrDefault(f => f.RelativePath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && HasHeader(f));

    /// <summary>True when the CSV file's first line names emotion and pixels columns.</summary>
    public static bool HasPixelsHeader(string path) => HasHeader(new FileEntry(Path.GetFileName(path), new FileInfo(path).Length, () => File.OpenRead(path)));

    private static bool HasHeader(FileEntry f)
    {
        using var reader = new StreamReader(f.Open());
        string? header = reader.ReadLine();
        return header is not null && header.Contains("emotion", StringComparison.OrdinalIgnoreCase)
            && header.Contains("pixels", StringComparison.OrdinalIgnoreCase);
    }

    public IEnumerable<RawSample> Read(IFileTree tree, List<DataProblem> problems)
    {
        var csv = FindCsv(tree)!;
        using var reader = new StreamReader(csv.Open());
        // Sylvan reads quoted headers ("emotion","pixels","Usage", as many tools write them) and detects , ; or tab.
        using var rows = Sylvan.Data.Csv.CsvDataReader.Create(reader, new Sylvan.Data.Csv.CsvDataReaderOptions { MaxBufferSize = 1 << 22 });
        var header = Enumerable.Range(0, rows.FieldCount).Select(i => rows.GetName(i).Trim().ToLowerInvariant()).ToArray();
        int ie = Array.IndexOf(header, "emotion"), ip = Array.IndexOf(header, "pixels"), iu = Array.IndexOf(header, "usage");
        if (ie < 0 || ip < 0) throw new MienDataException($"'{csv.RelativePath}': the header must name 'emotion' and 'pixels' columns (it has: {string.Join(", ", header)}).");
        int lineNo = 1;
        while (true)
        {
            bool more;
            string? broken = null;
            try { more = rows.Read(); }
            catch (Sylvan.Data.Csv.CsvFormatException e) { more = true; broken = e.Message; }
            if (!more) break;
            lineNo++;
            string where = $"{csv.RelativePath} line {lineNo}";
            if (broken is not null) { problems.Add(new(where, $"malformed CSV: {broken}")); break; }
            if (rows.RowFieldCount < header.Length) { problems.Add(new(where, $"{rows.RowFieldCount} fields, expected {header.Length}")); continue; }
            string emotion = rows.GetString(ie).Trim();
            if (!int.TryParse(emotion, out int code) || code < 0 || code >= EmotionVocabulary.Fer2013Codes.Count)
            { problems.Add(new(where, $"emotion '{emotion}' is not a code 0..6")); continue; }
            var pixels = ParsePixels(rows.GetString(ip), out string? error);
            if (pixels is null) { problems.Add(new(where, error!)); continue; }
            int side = (int)Math.Sqrt(pixels.Length);
            string? split = iu >= 0 ? rows.GetString(iu).Trim() switch
            {
                "Training" => "train",
                "PublicTest" => "test",
                "PrivateTest" => "private-test",
                var other => other.ToLowerInvariant(),
            } : null;
            yield return new RawSample(where, EmotionVocabulary.Fer2013Codes[code], null, split, GrayPixels: pixels, PixelWidth: side, PixelHeight: side);
        }
    }

    private static byte[]? ParsePixels(string text, out string? error)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int side = (int)Math.Sqrt(parts.Length);
        if (parts.Length == 0 || side * side != parts.Length)
        {
            error = $"pixels has {parts.Length} values, expected a square image (2304 = 48x48)";
            return null;
        }
        var pixels = new byte[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!byte.TryParse(parts[i], out pixels[i])) { error = $"pixel {i} is '{parts[i]}', not 0..255"; return null; }
        }
        error = null;
        return pixels;
    }
}

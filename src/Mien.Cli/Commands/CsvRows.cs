using System.Data;
using Sylvan.Data.Csv;

namespace Mien.Cli.Commands;

/// <summary>
/// CSV text through Sylvan (RFC 4180 quoting of commas, quotes and line breaks in file names and messages), a few rows
/// at a time so that predict and video can stream: the header once, then each image's or frame's rows.
/// </summary>
internal sealed class CsvRows(IReadOnlyList<string> columns)
{
    public IReadOnlyList<string> Columns { get; } = columns;

    /// <summary>The header line.</summary>
    public string Header() => Format([], writeHeader: true);

    /// <summary>The rows (each as many cells as there are columns; null is an empty cell), without the header.</summary>
    public string Rows(IEnumerable<IReadOnlyList<string?>> rows) => Format(rows, writeHeader: false);

    private string Format(IEnumerable<IReadOnlyList<string?>> rows, bool writeHeader)
    {
        using var table = new DataTable();
        foreach (var c in Columns) table.Columns.Add(c, typeof(string));
        foreach (var row in rows)
        {
            if (row.Count != Columns.Count) throw new InvalidOperationException($"CSV row of {row.Count} cells for {Columns.Count} columns.");
            table.Rows.Add(row.Select(v => (object?)v ?? DBNull.Value).ToArray());
        }
        var text = new StringWriter();
        using (var csv = CsvDataWriter.Create(text, new CsvDataWriterOptions { WriteHeaders = writeHeader, NewLine = Environment.NewLine }))
            csv.Write(table.CreateDataReader());
        return text.ToString();
    }
}

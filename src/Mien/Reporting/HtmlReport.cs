using System.Text;

namespace Mien.Reporting;

/// <summary>
/// Builds one self-contained HTML page: inline CSS, images as base64 data URIs, no scripts and no external
/// resources, so a report can be mailed, archived or opened offline and still shows everything.
/// </summary>
internal sealed class HtmlReport(string title)
{
    private readonly StringBuilder _body = new();

    private const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1340px;padding:0 16px;color:#222;background:#fff}
        h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
        .sub{color:#666;margin-top:0}
        .cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
        .card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:130px}
        .card .v{font-size:1.35em;font-weight:600} .card .l{color:#666;font-size:.85em}
        table{border-collapse:collapse;margin:8px 0;font-size:.92em}
        th,td{border:1px solid #ddd;padding:4px 9px} th{background:#f5f5f5;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
        .figs{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
        figure{margin:0} figure img{max-width:100%;border:1px solid #eee} figcaption{color:#666;font-size:.85em;max-width:640px}
        pre{background:#f7f7f7;border:1px solid #e5e5e5;padding:10px;overflow:auto;font-size:.85em;max-height:420px}
        """;

    public HtmlReport Heading(string text, string? subtitle = null)
    {
        _body.Append("<h2>").Append(Enc(text)).Append("</h2>\n");
        if (subtitle is not null) _body.Append("<p class=\"sub\">").Append(Enc(subtitle)).Append("</p>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(Enc(text)).Append("</p>\n");
        return this;
    }

    public HtmlReport Cards(IEnumerable<(string Label, string Value)> cards)
    {
        _body.Append("<div class=\"cards\">");
        foreach (var (label, value) in cards)
            _body.Append("<div class=\"card\"><div class=\"v\">").Append(Enc(value)).Append("</div><div class=\"l\">").Append(Enc(label)).Append("</div></div>");
        _body.Append("</div>\n");
        return this;
    }

    /// <summary>A table; cells that parse as numbers (or percentages, "a ± b") are right-aligned.</summary>
    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table><tr>");
        foreach (var h in header) _body.Append("<th>").Append(Enc(h)).Append("</th>");
        _body.Append("</tr>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row) _body.Append(IsNumeric(cell) ? "<td class=\"n\">" : "<td>").Append(Enc(cell)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</table>\n");
        return this;
    }

    public HtmlReport Pre(string text)
    {
        _body.Append("<pre>").Append(Enc(text)).Append("</pre>\n");
        return this;
    }

    /// <summary>Figures side by side (wrapping), each a PNG embedded as a data URI.</summary>
    public HtmlReport Figures(IEnumerable<(byte[] Png, string Alt, string? Caption)> figures)
    {
        _body.Append("<div class=\"figs\">\n");
        foreach (var (png, alt, caption) in figures)
        {
            _body.Append("<figure><img alt=\"").Append(Attr(alt)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\">");
            if (caption is not null) _body.Append("<figcaption>").Append(Enc(caption)).Append("</figcaption>");
            _body.Append("</figure>\n");
        }
        _body.Append("</div>\n");
        return this;
    }

    public string ToHtml(string? subtitle = null) =>
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">" +
        $"<title>{Enc(title)}</title><style>{Css}</style></head>\n<body>\n<h1>{Enc(title)}</h1>\n" +
        (subtitle is null ? "" : $"<p class=\"sub\">{Enc(subtitle)}</p>\n") + _body + "</body></html>\n";

    /// <summary>Writes through a temporary file and a rename, like every other run file.</summary>
    public void Write(string path, string? subtitle = null)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, ToHtml(subtitle), new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }

    // Only the markup characters (WebUtility.HtmlEncode would also turn "±" or "é" into numeric entities); quotes only inside attributes.
    private static string Enc(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    private static string Attr(string s) => Enc(s).Replace("\"", "&quot;");

    private static bool IsNumeric(string s)
    {
        var t = s.Replace("±", " ").Replace("%", "").Replace(",", "").Trim();
        return t.Length > 0 && t.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(p => double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _));
    }
}

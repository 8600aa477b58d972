using System.Globalization;
using System.Text;

namespace Autoencoders.ML.Cli.Output;

/// <summary>
/// report.html: one self-contained page (inline CSS, inline SVG and base64 PNG; no script, font or request) made of
/// titled sections. Every user string goes through <see cref="Text"/>; section bodies are built with the helpers here
/// and in <see cref="SvgChart"/>.
/// </summary>
internal sealed class ReportPage
{
    /// <summary>The file name inside a model folder.</summary>
    public const string FileName = "report.html";

    private const string Style =
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222;background:#fafafa}" +
        "h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}" +
        "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .6rem;text-align:left;font-size:.9rem}" +
        "th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}p.note{color:#555;font-size:.9rem}" +
        "img.grid{image-rendering:pixelated;border:1px solid #ddd;background:#fff}svg{border:1px solid #ddd;max-width:100%;height:auto}";

    private readonly string title;
    private readonly string subtitle;
    private readonly List<(string Title, string Body)> sections = new();

    public ReportPage(string title, string subtitle)
    {
        this.title = title;
        this.subtitle = subtitle;
    }

    /// <summary>Adds a section; <paramref name="body"/> is HTML built with the helpers (user text already encoded).</summary>
    public void Add(string sectionTitle, string body) => sections.Add((sectionTitle, body));

    /// <summary>HTML-encodes user text.</summary>
    public static string Text(string text) => SvgChart.Encode(text);

    /// <summary>A paragraph of plain (encoded) text in the page's note style.</summary>
    public static string Note(string text) => $"<p class=\"note\">{Text(text)}</p>";

    /// <summary>A two-column table of names and values (both encoded).</summary>
    public static string Facts(IEnumerable<(string Name, string Value)> facts) =>
        "<table>" + string.Concat(facts.Select(f => $"<tr><th>{Text(f.Name)}</th><td>{Text(f.Value)}</td></tr>")) + "</table>";

    /// <summary>A table with a header; cells that parse as numbers are right-aligned.</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var html = new StringBuilder("<table><tr>");
        foreach (string h in header)
        {
            html.Append("<th>").Append(Text(h)).Append("</th>");
        }

        html.Append("</tr>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (string cell in row)
            {
                bool number = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                html.Append(number ? "<td class=\"n\">" : "<td>").Append(Text(cell)).Append("</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</table>").ToString();
    }

    /// <summary>A PNG embedded as a data URI, shown at <paramref name="zoom"/> times its size with crisp pixels.</summary>
    public static string Png(byte[] png, string alt, int width, int zoom = 1) =>
        $"<img class=\"grid\" alt=\"{Text(alt)}\" width=\"{width * zoom}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"/>";

    /// <summary>The whole page.</summary>
    public string Render()
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(Text(title)).Append("</title><style>").Append(Style).Append("</style></head><body>")
            .Append("<h1>").Append(Text(title)).Append("</h1>").Append(Note(subtitle));
        foreach (var (sectionTitle, body) in sections)
        {
            html.Append("<section><h2>").Append(Text(sectionTitle)).Append("</h2>").Append(body).Append("</section>");
        }

        return html.Append("</body></html>").ToString();
    }

    /// <summary>Writes the page into <paramref name="folder"/> (through a temporary file, so a reader never sees half a page).</summary>
    public void Save(string folder)
    {
        string path = Path.Combine(folder, FileName);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, Render(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
    }
}

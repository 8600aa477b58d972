using System.Globalization;
using System.Net;
using System.Text;

namespace Autoencoders.ML.Cli.Output;

/// <summary>
/// Small inline SVG charts for report.html (lines, scatter, bars, heat map): no script, no font file, no external
/// reference, so the page stays one self-contained file. Every text is HTML-encoded.
/// </summary>
internal static class SvgChart
{
    /// <summary>Colours of series and groups (Tableau 10), cycled.</summary>
    public static readonly string[] Palette = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac" };

    private const int Width = 640;
    private const int Height = 360;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 20;
    private const int Bottom = 50;

    /// <summary>One line of a <see cref="Lines"/> chart.</summary>
    public sealed record Series(string Name, double[] X, double[] Y);

    /// <summary>Lines over a shared x axis, with an optional dashed vertical marker (e.g. the best epoch).</summary>
    public static string Lines(IReadOnlyList<Series> series, string xLabel, string yLabel, double? markerX = null, string? markerLabel = null)
    {
        var all = series.Where(s => s.X.Length > 0).ToList();
        if (all.Count == 0)
        {
            return string.Empty;
        }

        var (x0, x1) = Range(all.SelectMany(s => s.X), markerX, pad: false);
        var (y0, y1) = Range(all.SelectMany(s => s.Y), null);
        var svg = Begin(Width, Height);
        Axes(svg, x0, x1, y0, y1, xLabel, yLabel);
        for (int i = 0; i < all.Count; i++)
        {
            string colour = Palette[i % Palette.Length];
            svg.Append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").Append(colour).Append("\" points=\"");
            for (int p = 0; p < all[i].X.Length; p++)
            {
                svg.Append(F(Sx(all[i].X[p], x0, x1))).Append(',').Append(F(Sy(all[i].Y[p], y0, y1))).Append(' ');
            }

            svg.Append("\"/>");
            Legend(svg, i, all[i].Name, colour);
        }

        if (markerX is double m)
        {
            double x = Sx(m, x0, x1);
            svg.Append($"<line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#555\" stroke-dasharray=\"5,4\"/>");
            if (markerLabel != null)
            {
                Legend(svg, all.Count, markerLabel, "#555");
            }
        }

        return End(svg);
    }

    /// <summary>Points, coloured by group (null: one colour); <paramref name="groupNames"/> label the legend.</summary>
    public static string Scatter(double[] x, double[] y, int[]? groups, IReadOnlyList<string>? groupNames, string xLabel, string yLabel)
    {
        if (x.Length == 0)
        {
            return string.Empty;
        }

        var (x0, x1) = Range(x, null);
        var (y0, y1) = Range(y, null);
        var svg = Begin(Width, Height);
        Axes(svg, x0, x1, y0, y1, xLabel, yLabel);
        for (int i = 0; i < x.Length; i++)
        {
            string colour = groups == null ? Palette[0] : Palette[groups[i] % Palette.Length];
            svg.Append($"<circle cx=\"{F(Sx(x[i], x0, x1))}\" cy=\"{F(Sy(y[i], y0, y1))}\" r=\"2\" fill=\"{colour}\" fill-opacity=\"0.7\"/>");
        }

        if (groupNames != null)
        {
            for (int g = 0; g < groupNames.Count; g++)
            {
                Legend(svg, g, groupNames[g], Palette[g % Palette.Length]);
            }
        }

        return End(svg);
    }

    /// <summary>Vertical bars (a histogram when <paramref name="labels"/> are bin edges), with an optional dashed threshold at a bar position.</summary>
    public static string Bars(IReadOnlyList<string> labels, double[] values, string xLabel, string yLabel, double? markerAt = null, string? markerLabel = null)
    {
        if (values.Length == 0)
        {
            return string.Empty;
        }

        double top = Math.Max(values.Max(), 1e-12);
        var svg = Begin(Width, Height);
        Axes(svg, 0, values.Length, 0, top, xLabel, yLabel, xTicks: false);
        double slot = (Width - Left - Right) / (double)values.Length;
        for (int i = 0; i < values.Length; i++)
        {
            double y = Sy(values[i], 0, top);
            svg.Append($"<rect x=\"{F(Left + (i * slot) + 1)}\" y=\"{F(y)}\" width=\"{F(Math.Max(slot - 2, 1))}\" height=\"{F(Height - Bottom - y)}\" fill=\"{Palette[0]}\">")
                .Append("<title>").Append(Encode(labels[i])).Append(": ").Append(values[i].ToString("G4", CultureInfo.InvariantCulture)).Append("</title></rect>");
        }

        // First, middle and last labels under the bars; all of them are in the tooltips.
        foreach (int i in new[] { 0, values.Length / 2, values.Length - 1 }.Distinct())
        {
            svg.Append($"<text x=\"{F(Left + ((i + 0.5) * slot))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Encode(labels[i])}</text>");
        }

        if (markerAt is double m)
        {
            double x = Left + (m * slot);
            svg.Append($"<line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"{Palette[2]}\" stroke-width=\"2\" stroke-dasharray=\"5,4\"/>");
            if (markerLabel != null)
            {
                Legend(svg, 0, markerLabel, Palette[2]);
            }
        }

        return End(svg);
    }

    /// <summary>A table of counts as a heat map (e.g. a confusion matrix: rows true class, columns predicted).</summary>
    public static string HeatMap(IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, int[,] counts, string rowTitle, string columnTitle)
    {
        int rows = rowLabels.Count, columns = columnLabels.Count;
        const int Cell = 34, Margin = 90;
        int max = 1;
        foreach (int c in counts)
        {
            max = Math.Max(max, c);
        }

        var svg = Begin(Margin + (columns * Cell) + 10, Margin + (rows * Cell) + 10);
        svg.Append($"<text x=\"{Margin + (columns * Cell / 2)}\" y=\"16\" text-anchor=\"middle\">{Encode(columnTitle)}</text>");
        svg.Append($"<text x=\"16\" y=\"{Margin + (rows * Cell / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {Margin + (rows * Cell / 2)})\">{Encode(rowTitle)}</text>");
        for (int c = 0; c < columns; c++)
        {
            svg.Append($"<text x=\"{Margin + (c * Cell) + (Cell / 2)}\" y=\"{Margin - 8}\" text-anchor=\"middle\">{Encode(columnLabels[c])}</text>");
        }

        for (int r = 0; r < rows; r++)
        {
            svg.Append($"<text x=\"{Margin - 8}\" y=\"{Margin + (r * Cell) + (Cell / 2) + 4}\" text-anchor=\"end\">{Encode(rowLabels[r])}</text>");
            for (int c = 0; c < columns; c++)
            {
                double share = counts[r, c] / (double)max;
                string fill = $"rgb({F(255 - (share * 177))},{F(255 - (share * 134))},{F(255 - (share * 88))})";
                svg.Append($"<rect x=\"{Margin + (c * Cell)}\" y=\"{Margin + (r * Cell)}\" width=\"{Cell - 1}\" height=\"{Cell - 1}\" fill=\"{fill}\"/>");
                svg.Append($"<text x=\"{Margin + (c * Cell) + (Cell / 2)}\" y=\"{Margin + (r * Cell) + (Cell / 2) + 4}\" text-anchor=\"middle\" fill=\"{(share > 0.6 ? "#fff" : "#222")}\">{counts[r, c]}</text>");
            }
        }

        return End(svg);
    }

    /// <summary>HTML-encodes user text (column names, paths, labels) for an element or attribute.</summary>
    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static StringBuilder Begin(int width, int height) =>
        new StringBuilder()
            .Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" ")
            .Append("font-family=\"sans-serif\" font-size=\"11\" role=\"img\">")
            .Append($"<rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>");

    private static string End(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static void Axes(StringBuilder svg, double x0, double x1, double y0, double y1, string xLabel, string yLabel, bool xTicks = true)
    {
        svg.Append($"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>");
        svg.Append($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>");
        for (int t = 0; t <= 4; t++)
        {
            double yv = y0 + ((y1 - y0) * t / 4);
            double y = Sy(yv, y0, y1);
            svg.Append($"<line x1=\"{Left - 4}\" y1=\"{F(y)}\" x2=\"{Width - Right}\" y2=\"{F(y)}\" stroke=\"#ddd\"/>");
            svg.Append($"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{Tick(yv)}</text>");
            if (xTicks)
            {
                double xv = x0 + ((x1 - x0) * t / 4);
                svg.Append($"<text x=\"{F(Sx(xv, x0, x1))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Tick(xv)}</text>");
            }
        }

        svg.Append($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Encode(xLabel)}</text>");
        svg.Append($"<text x=\"14\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(Top + Height - Bottom) / 2})\">{Encode(yLabel)}</text>");
    }

    private static void Legend(StringBuilder svg, int index, string name, string colour)
    {
        int y = Top + 8 + (index * 16);
        svg.Append($"<rect x=\"{Width - Right - 154}\" y=\"{y - 11}\" width=\"152\" height=\"16\" fill=\"#fff\" fill-opacity=\"0.8\"/>");
        svg.Append($"<rect x=\"{Width - Right - 150}\" y=\"{y - 8}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>");
        svg.Append($"<text x=\"{Width - Right - 135}\" y=\"{y + 1}\">{Encode(name)}</text>");
    }

    private static (double, double) Range(IEnumerable<double> values, double? extra, bool pad = true)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (extra is double e)
        {
            finite.Add(e);
        }

        double lo = finite.Count == 0 ? 0 : finite.Min(), hi = finite.Count == 0 ? 1 : finite.Max();
        if (hi - lo < 1e-12)
        {
            (lo, hi) = (lo - 0.5, hi + 0.5);
        }

        double margin = pad ? (hi - lo) * 0.03 : 0;
        return (lo - margin, hi + margin);
    }

    private static double Sx(double v, double lo, double hi) => Left + ((v - lo) / (hi - lo) * (Width - Left - Right));

    private static double Sy(double v, double lo, double hi) => Height - Bottom - ((double.IsFinite(v) ? v - lo : 0) / (hi - lo) * (Height - Top - Bottom));

    private static string Tick(double v) => v.ToString(Math.Abs(v) >= 1000 ? "N0" : "G3", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}

using System.Linq;

/// <summary>scores.png: the score distribution of normal and anomalous rows (each as a fraction of its class), and the threshold.</summary>
internal static class ScoreHistogram
{
    public static void Save(string path, float[] scores, float[] labels, double threshold, string title)
    {
        const int Bins = 40;
        var plot = new ScottPlot.Plot();
        foreach (var (label, name, color) in new[] { (0f, "normal", ScottPlot.Colors.SteelBlue), (1f, "anomaly", ScottPlot.Colors.OrangeRed) })
        {
            var values = scores.Where((_, i) => labels[i] == label).ToArray();
            var counts = new double[Bins];
            foreach (float s in values)
            {
                counts[System.Math.Clamp((int)(s * Bins), 0, Bins - 1)]++;
            }

            var bars = plot.Add.Bars(Enumerable.Range(0, Bins).Select(b => (b + 0.5) / Bins).ToArray(), counts.Select(c => c / values.Length).ToArray());
            bars.LegendText = $"{name} ({values.Length} rows)";
            foreach (var bar in bars.Bars)
            {
                bar.FillColor = color.WithAlpha(0.55);
                bar.LineWidth = 0;
                bar.Size = 1.0 / Bins;
            }
        }

        var line = plot.Add.VerticalLine(threshold);
        line.LegendText = $"threshold {threshold:F3}";
        line.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Title($"Anomaly scores, {title} (autoencoder detector)");
        plot.XLabel("score (higher = more anomalous)");
        plot.YLabel("fraction of the class");
        plot.ShowLegend();
        plot.SavePng(path, 800, 500);
    }
}

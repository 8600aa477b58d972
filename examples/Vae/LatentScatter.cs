using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace Autoencoders.ML.Examples;

/// <summary>Scatter of 2-d codes coloured by digit label, one series (and legend entry) per digit, with ScottPlot.</summary>
internal static class LatentScatter
{
    public static void Save(string path, IReadOnlyList<float[]> codes, IReadOnlyList<int> labels, string title)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int digit = 0; digit <= 9; digit++)
        {
            var indices = Enumerable.Range(0, codes.Count).Where(i => labels[i] == digit).ToArray();
            var points = plot.Add.ScatterPoints(indices.Select(i => (double)codes[i][0]).ToArray(), indices.Select(i => (double)codes[i][1]).ToArray());
            points.Color = palette.GetColor(digit).WithAlpha(0.6);
            points.MarkerSize = 3;
            points.LegendText = digit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        plot.ShowLegend(Alignment.UpperRight);
        plot.Title(title);
        plot.XLabel("z₁ (posterior mean)");
        plot.YLabel("z₂ (posterior mean)");
        plot.SavePng(path, 900, 800);
    }
}

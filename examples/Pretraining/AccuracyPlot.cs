using System;
using System.Collections.Generic;
using System.Linq;

/// <summary>accuracy-vs-labels.png: test accuracy of each method against the number of labeled rows (log scale).</summary>
internal static class AccuracyPlot
{
    /// <summary>Writes the picture: one line per method, one point per number of labels.</summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="labelCounts">The numbers of labeled rows, ascending.</param>
    /// <param name="accuracies">Per method (in legend order), the test accuracy at each number of labels (fractions).</param>
    public static void Save(string path, IReadOnlyList<int> labelCounts, IReadOnlyList<(string Method, double[] Accuracy)> accuracies)
    {
        var plot = new ScottPlot.Plot();
        double[] xs = labelCounts.Select(n => Math.Log10(n)).ToArray();
        foreach (var (method, accuracy) in accuracies)
        {
            var line = plot.Add.Scatter(xs, accuracy.Select(a => a * 100).ToArray());
            line.LegendText = method;
            line.MarkerSize = 8;
            line.LineWidth = 2;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, labelCounts.Select(n => n.ToString("N0")).ToArray());
        plot.Title("MNIST with few labels: test accuracy");
        plot.XLabel("labeled training images (the other training images unlabeled)");
        plot.YLabel("test accuracy, %");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 900, 560);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>One ODDS set: features as given (not scaled) and the 0/1 label, which only the evaluation reads.</summary>
internal sealed record TabularSet(string Name, float[][] Rows, int[] Labels)
{
    public int Width => Rows[0].Length;

    public int Anomalies => Labels.Count(l => l == 1);

    /// <summary>Reads a CSV with header f0..f{d-1},label (label last, 1 = anomaly).</summary>
    public static TabularSet Load(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        if (header[^1] != "label")
        {
            throw new InvalidDataException($"{path}: the last column must be 'label'.");
        }

        var rows = new List<float[]>();
        var labels = new List<int>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            rows.Add(parts[..^1].Select(p => float.Parse(p, CultureInfo.InvariantCulture)).ToArray());
            labels.Add((int)Math.Round(double.Parse(parts[^1], CultureInfo.InvariantCulture)));
        }

        return new TabularSet(Path.GetFileNameWithoutExtension(path), rows.ToArray(), labels.ToArray());
    }
}

/// <summary>Input scalings fitted on all rows (the unsupervised protocol: anomalies included, labels never read).</summary>
internal enum Scaling
{
    Standard,
    MinMax,
    /// <summary>(x − median) / IQR; a feature with IQR 0 falls back to its standard deviation.</summary>
    Robust,
    /// <summary>Robust, then the signed logarithm sign(z)·ln(1 + |z|): order kept in every column, extremes compressed.</summary>
    RobustLog,
    /// <summary>Each value replaced by the standard-normal quantile of its empirical CDF (ties averaged), clipped to ±3.</summary>
    Quantile,
}

internal static class Scalers
{
    public static float[][] Apply(float[][] rows, Scaling kind)
    {
        int n = rows.Length;
        int d = rows[0].Length;
        var result = new float[n][];
        for (int i = 0; i < n; i++)
        {
            result[i] = new float[d];
        }

        var column = new double[n];
        for (int j = 0; j < d; j++)
        {
            for (int i = 0; i < n; i++)
            {
                column[i] = rows[i][j];
            }

            if (kind == Scaling.Quantile)
            {
                var ranks = Stats.Ranks(column);
                for (int i = 0; i < n; i++)
                {
                    double p = (ranks[i] - 0.5) / n;
                    result[i][j] = (float)Math.Clamp(Stats.NormalQuantile(p), -3, 3);
                }

                continue;
            }

            double shift;
            double spread;
            double mean = column.Average();
            double std = Math.Sqrt(column.Select(v => (v - mean) * (v - mean)).Average());
            switch (kind)
            {
                case Scaling.MinMax:
                    shift = column.Min();
                    spread = column.Max() - shift;
                    break;
                case Scaling.Robust:
                case Scaling.RobustLog:
                    var sorted = column.OrderBy(v => v).ToArray();
                    shift = Stats.Quantile(sorted, 0.5);
                    spread = Stats.Quantile(sorted, 0.75) - Stats.Quantile(sorted, 0.25);
                    if (!(spread > 1e-12))
                    {
                        spread = std;
                    }

                    break;
                default:
                    shift = mean;
                    spread = std;
                    break;
            }

            double scale = spread > 1e-12 ? 1.0 / spread : 1.0;
            for (int i = 0; i < n; i++)
            {
                double z = (column[i] - shift) * scale;
                result[i][j] = (float)(kind == Scaling.RobustLog ? Math.Sign(z) * Math.Log(1 + Math.Abs(z)) : z);
            }
        }

        return result;
    }
}

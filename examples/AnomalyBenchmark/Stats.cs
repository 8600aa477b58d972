using System;
using System.Collections.Generic;
using System.Linq;
using Autoencoders.ML.Anomaly;

namespace Autoencoders.ML.Examples.Anomaly;

internal static class Stats
{
    /// <summary>1-based ranks, ties averaged: the library's.</summary>
    public static double[] Ranks(IReadOnlyList<double> values) => AnomalyMetrics.Ranks(values);

    /// <summary>AUROC (Mann–Whitney U, ties averaged): the library's, so the benchmark measures with the code users call.</summary>
    public static double Auroc(IReadOnlyList<double> scores, IReadOnlyList<int> labels) => AnomalyMetrics.Auroc(scores, labels);

    /// <summary>Scores mapped to (0, 1] by rank: what an ensemble averages.</summary>
    public static double[] RankNormalise(IReadOnlyList<double> scores)
    {
        var ranks = Ranks(scores);
        for (int i = 0; i < ranks.Length; i++)
        {
            ranks[i] /= ranks.Length;
        }

        return ranks;
    }

    /// <summary>Linear-interpolated quantile of sorted values (the library's).</summary>
    /// <summary>Sample standard deviation (n − 1; 0 for one value).</summary>
    public static double StdDev(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1));
    }

    public static double Quantile(IReadOnlyList<double> sorted, double q) => AnomalyMath.SortedQuantile(sorted, q);

    /// <summary>Standard-normal quantile (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        double[] a = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00 };
        double[] b = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
        double[] c = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00 };
        double[] d = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00 };
        const double low = 0.02425;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        if (p > 1 - low)
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        double r = p - 0.5;
        double s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }

    /// <summary>Distance of every row to its k-th nearest other row (the library's brute-force search); with <paramref name="excludeSelf"/> false the row counts as its own first neighbour.</summary>
    public static double[] KthNeighbourDistance(float[][] rows, int k, bool excludeSelf = true) =>
        AnomalyMath.KthNeighbourDistance(rows, rows, k, skipSelf: excludeSelf);
}

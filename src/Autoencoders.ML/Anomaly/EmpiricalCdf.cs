namespace Autoencoders.ML.Anomaly;

/// <summary>
/// The training rows' CDF of one part of the score, as knots interpolated linearly: the sorted training values (in
/// float32, as the ONNX graph sees it) are grouped, a group holding the values within <see cref="KnotTolerance"/>
/// (relative) of its smallest, and each group is one knot at its smallest value (the last group: its largest, so that the
/// knots span the training range) and its mid-rank position (#below + ½·#in group) / n. Values between knots are
/// interpolated, values outside the training range are clamped to the end knots. Monotone like the rank CDF and continuous; and since neighbouring knots are at least
/// <see cref="KnotTolerance"/> apart (relative), a value moved by float rounding (relative δ: another batch size, another
/// runtime, another CPU's kernels) moves its CDF by at most δ / <see cref="KnotTolerance"/> of the rank steps between
/// two knots — not by a whole rank step, as knots one float apart would allow. The ONNX graph evaluates the same knots.
/// </summary>
internal sealed class EmpiricalCdf
{
    /// <summary>
    /// Training values closer than this, relative to the smaller, are one knot. On the thyroid test's model, scores after
    /// <c>mlContext.Model.Save</c>/<c>Load</c> (one-row ONNX Runtime calls) then differed from the batched ones by at most
    /// 3.0e-7, against a rank step of 2.7e-4 (docs/benchmarks.md).
    /// </summary>
    internal const double KnotTolerance = 1e-4;

    private const double TinyGap = 1e-30;

    public EmpiricalCdf(IReadOnlyList<double> values)
    {
        var sorted = values.Select(v => (float)v).OrderBy(v => v).ToArray();
        int n = sorted.Length;
        var x = new List<float>();
        var y = new List<float>();
        for (int start = 0; start < n;)
        {
            int end = start;
            double limit = sorted[start] + (KnotTolerance * Math.Abs((double)sorted[start]));
            while (end < n && sorted[end] <= limit)
            {
                end++;
            }

            x.Add(end == n ? sorted[n - 1] : sorted[start]);
            y.Add((float)((start + (0.5 * (end - start))) / n));
            start = end;
        }

        if (x.Count == 1)
        {
            // One distinct value: two equal knots keep the interpolation defined.
            x.Add(x[0]);
            y.Add(y[0]);
        }

        X = x.ToArray();
        Y = y.ToArray();
    }

    /// <summary>The knots' values, increasing (at least two).</summary>
    public float[] X { get; }

    /// <summary>The CDF at each knot, in (0, 1).</summary>
    public float[] Y { get; }

    /// <summary>The interpolated CDF at <paramref name="value"/> (the graph's formula, in float64).</summary>
    public double At(double value)
    {
        int below = 0;
        int hi = X.Length;
        while (below < hi)
        {
            int mid = (below + hi) >>> 1;
            if (X[mid] < value)
            {
                below = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        int i = Math.Clamp(below, 1, X.Length - 1);
        double fraction = Math.Clamp((value - X[i - 1]) / Math.Max(X[i] - (double)X[i - 1], TinyGap), 0, 1);
        return Y[i - 1] + (fraction * (Y[i] - (double)Y[i - 1]));
    }
}

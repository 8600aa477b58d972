
namespace Autoencoders.ML.Anomaly;

/// <summary>Small numeric helpers shared by the anomaly scorer.</summary>
internal static class AnomalyMath
{
    /// <summary>
    /// Checks that there is at least one row, that all rows have the same width and that every value is finite (a NaN
    /// would rank silently as neither high nor low); returns the width.
    /// </summary>
    public static int CheckRows(IReadOnlyList<float[]> rows, string name)
    {
        if (rows.Count == 0)
        {
            throw new ArgumentException("At least one row is needed.", name);
        }

        int width = rows[0]?.Length ?? throw new ArgumentException("Row 0 is null.", name);
        for (int i = 1; i < rows.Count; i++)
        {
            if (rows[i] is null || rows[i].Length != width)
            {
                throw new ArgumentException($"Row {i} has {rows[i]?.Length.ToString() ?? "no"} values; row 0 has {width}.", name);
            }
        }

        for (int i = 0; i < rows.Count; i++)
        {
            int column = Array.FindIndex(rows[i], v => !float.IsFinite(v));
            if (column >= 0)
            {
                throw new ArgumentException(
                    $"Row {i}, value {column} is {rows[i][column]}; anomaly scores need finite numbers. Replace or drop missing values first.", name);
            }
        }

        return width;
    }

    /// <summary>Linear-interpolated quantile of sorted values.</summary>
    public static double SortedQuantile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    /// <summary>
    /// The mid-rank empirical CDF of <paramref name="value"/> among <paramref name="sorted"/>:
    /// (#below + ½·#equal) / n, so that on the fitted values it equals their tie-averaged rank (minus ½) over n.
    /// </summary>
    public static double MidRankCdf(double[] sorted, double value)
    {
        int below = CountBelow(sorted, value, inclusive: false);
        int upTo = CountBelow(sorted, value, inclusive: true);
        return (below + 0.5 * (upTo - below)) / sorted.Length;
    }

    /// <summary>Distance from each query to its k-th nearest reference (Euclidean, brute force); <paramref name="skipSelf"/> skips reference i for query i.</summary>
    public static double[] KthNeighbourDistance(IReadOnlyList<float[]> queries, IReadOnlyList<float[]> references, int k, bool skipSelf) =>
        KthNeighbourDistance(queries, references, k, skipSelf, out _);

    /// <summary>
    /// As above, also giving <paramref name="withSelf"/>: with <paramref name="skipSelf"/>, the k-th distance had reference
    /// i counted for query i (at distance 0, so the (k − 1)-th of the others; 0 for k = 1) — what a search over all
    /// references gives, from the same pass.
    /// </summary>
    public static double[] KthNeighbourDistance(IReadOnlyList<float[]> queries, IReadOnlyList<float[]> references, int k, bool skipSelf, out double[] withSelf)
    {
        int available = references.Count - (skipSelf ? 1 : 0);
        int kk = Math.Min(k, Math.Max(1, available));
        var result = new double[queries.Count];
        withSelf = skipSelf ? new double[queries.Count] : result;
        var best = new double[kk];
        for (int i = 0; i < queries.Count; i++)
        {
            Array.Fill(best, double.PositiveInfinity);
            var a = queries[i];
            for (int j = 0; j < references.Count; j++)
            {
                if (skipSelf && j == i)
                {
                    continue;
                }

                var b = references[j];
                double sum = 0;
                for (int t = 0; t < a.Length; t++)
                {
                    double diff = a[t] - b[t];
                    sum += diff * diff;
                }

                if (sum < best[kk - 1])
                {
                    int p = kk - 1;
                    while (p > 0 && best[p - 1] > sum)
                    {
                        best[p] = best[p - 1];
                        p--;
                    }

                    best[p] = sum;
                }
            }

            result[i] = double.IsPositiveInfinity(best[kk - 1]) ? 0 : Math.Sqrt(best[kk - 1]);
            if (skipSelf)
            {
                withSelf[i] = kk == 1 || double.IsPositiveInfinity(best[kk - 2]) ? 0 : Math.Sqrt(best[kk - 2]);
            }
        }

        return result;
    }

    // The number of sorted values below value (or, inclusive, at most value): a binary search.
    private static int CountBelow(double[] sorted, double value, bool inclusive)
    {
        int lo = 0;
        int hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value || (inclusive && sorted[mid] == value))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

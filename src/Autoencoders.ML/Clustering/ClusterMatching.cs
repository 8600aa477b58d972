namespace Autoencoders.ML.Clustering;

/// <summary>
/// Clustering accuracy: the share of rows whose cluster, under the best one-to-one matching of clusters to classes
/// (the Hungarian algorithm, O(n³)), is their class. The usual measure of unsupervised clustering on labelled data
/// (VaDE, DEC); NMI is ML.NET's <c>mlContext.Clustering.Evaluate</c>.
/// </summary>
internal static class ClusterMatching
{
    /// <summary>The accuracy under the best one-to-one matching of <paramref name="clusters"/> to <paramref name="labels"/>.</summary>
    /// <param name="clusters">Cluster of each row, ≥ 0.</param>
    /// <param name="labels">Class of each row, ≥ 0, as many as <paramref name="clusters"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, are 0, or a value is negative.</exception>
    public static double Accuracy(IReadOnlyList<int> clusters, IReadOnlyList<int> labels)
    {
        var matching = Match(clusters, labels);
        int correct = 0;
        for (int i = 0; i < clusters.Count; i++)
        {
            correct += matching.TryGetValue(clusters[i], out int label) && label == labels[i] ? 1 : 0;
        }

        return (double)correct / clusters.Count;
    }

    /// <summary>The best one-to-one matching of clusters to classes: cluster → class (clusters beyond the classes stay unmatched).</summary>
    /// <param name="clusters">Cluster of each row, ≥ 0.</param>
    /// <param name="labels">Class of each row, ≥ 0, as many as <paramref name="clusters"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, are 0, or a value is negative.</exception>
    public static IReadOnlyDictionary<int, int> Match(IReadOnlyList<int> clusters, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(labels);
        if (clusters.Count != labels.Count || clusters.Count == 0)
        {
            throw new ArgumentException($"clusters and labels need the same, positive number of rows; got {clusters.Count} and {labels.Count}.");
        }

        if (clusters.Min() < 0 || labels.Min() < 0)
        {
            throw new ArgumentException("Clusters and labels must be ≥ 0 (0-based indices).");
        }

        int n = Math.Max(clusters.Max(), labels.Max()) + 1;
        var cost = new long[n, n];
        for (int i = 0; i < clusters.Count; i++)
        {
            cost[clusters[i], labels[i]]--;
        }

        var assignment = Hungarian(cost, n);
        var result = new Dictionary<int, int>();
        for (int cluster = 0; cluster < n; cluster++)
        {
            result[cluster] = assignment[cluster];
        }

        return result;
    }

    // The minimum-cost assignment of rows to columns of an n×n matrix (potentials form of the Hungarian algorithm).
    private static int[] Hungarian(long[,] cost, int n)
    {
        var u = new long[n + 1];
        var v = new long[n + 1];
        var p = new int[n + 1];
        var way = new int[n + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            var minv = Enumerable.Repeat(long.MaxValue, n + 1).ToArray();
            var used = new bool[n + 1];
            do
            {
                used[j0] = true;
                int i0 = p[j0];
                long delta = long.MaxValue;
                int j1 = 0;
                for (int j = 1; j <= n; j++)
                {
                    if (!used[j])
                    {
                        long current = cost[i0 - 1, j - 1] - u[i0] - v[j];
                        if (current < minv[j])
                        {
                            minv[j] = current;
                            way[j] = j0;
                        }

                        if (minv[j] < delta)
                        {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }

                for (int j = 0; j <= n; j++)
                {
                    if (used[j])
                    {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minv[j] -= delta;
                    }
                }

                j0 = j1;
            }
            while (p[j0] != 0);
            do
            {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }

        var rowToColumn = new int[n];
        for (int j = 1; j <= n; j++)
        {
            rowToColumn[p[j] - 1] = j - 1;
        }

        return rowToColumn;
    }
}

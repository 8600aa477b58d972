
namespace Autoencoders.ML.Anomaly;

/// <summary>Threshold-free evaluation of anomaly scores against 0/1 labels (1 = anomaly, higher score = more anomalous).</summary>
internal static class AnomalyMetrics
{
    /// <summary>
    /// Area under the ROC curve, computed from ranks (the Mann–Whitney U statistic) with tied scores given their average
    /// rank: the probability that a random anomaly scores above a random normal row, ties counting one half.
    /// </summary>
    /// <param name="scores">One score per row.</param>
    /// <param name="labels">One label per row: 1 = anomaly, 0 = normal.</param>
    /// <exception cref="ArgumentException">Lengths differ, a label is not 0 or 1, a score is NaN, or only one class is present.</exception>
    public static double Auroc(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count)
        {
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels.", nameof(labels));
        }

        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"Label {labels[i]} at row {i}: labels must be 0 (normal) or 1 (anomaly).", nameof(labels));
            }

            if (double.IsNaN(scores[i]))
            {
                throw new ArgumentException($"Score at row {i} is NaN.", nameof(scores));
            }
        }

        double positives = labels.Count(l => l == 1);
        double negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException($"AUROC needs both classes; got {positives} anomalies and {negatives} normal rows.", nameof(labels));
        }

        var ranks = Ranks(scores);
        double rankSum = 0;
        for (int i = 0; i < ranks.Length; i++)
        {
            if (labels[i] == 1)
            {
                rankSum += ranks[i];
            }
        }

        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }

    /// <summary>
    /// Area under the precision–recall curve as average precision: walking down the scores, the precision at each
    /// distinct score weighted by the recall it adds (tied scores enter together). A random score gets about the
    /// fraction of anomalies; a perfect one 1.
    /// </summary>
    /// <param name="scores">One score per row (higher = more anomalous).</param>
    /// <param name="labels">One label per row: 1 = anomaly, 0 = normal.</param>
    /// <exception cref="ArgumentException">As <see cref="Auroc"/>.</exception>
    public static double Auprc(IReadOnlyList<double> scores, IReadOnlyList<int> labels)
    {
        Auroc(scores, labels); // the same checks: lengths, 0/1 labels, no NaN, both classes
        double positives = labels.Count(l => l == 1);
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double truePositives = 0;
        double seen = 0;
        double area = 0;
        int k = 0;
        while (k < order.Length)
        {
            int end = k;
            double added = 0;
            while (end < order.Length && scores[order[end]].Equals(scores[order[k]]))
            {
                added += labels[order[end]];
                end++;
            }

            truePositives += added;
            seen += end - k;
            area += (added / positives) * (truePositives / seen);
            k = end;
        }

        return area;
    }

    /// <summary>1-based ranks of <paramref name="values"/>, tied values sharing their average rank.</summary>
    /// <param name="values">Values to rank.</param>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = values.Count;
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => values[a].CompareTo(values[b]));
        var ranks = new double[n];
        int i = 0;
        while (i < n)
        {
            int j = i;
            while (j + 1 < n && values[order[j + 1]].Equals(values[order[i]]))
            {
                j++;
            }

            double rank = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++)
            {
                ranks[order[t]] = rank;
            }

            i = j + 1;
        }

        return ranks;
    }
}

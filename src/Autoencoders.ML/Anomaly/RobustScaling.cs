
namespace Autoencoders.ML.Anomaly;

/// <summary>
/// Per-feature robust scaling, (x − median) / IQR, fitted on the training rows. Unlike standardisation, the median and the
/// interquartile range barely move when the training rows contain anomalies, so the anomalies stay far out in scaled
/// units. A feature whose IQR is 0 (binary or mostly constant) is divided by its standard deviation instead, and a
/// constant feature by 1. With <see cref="SignedLog"/>, each scaled value z then becomes sign(z)·ln(1 + |z|): the order
/// within every column is kept, but a heavy-tailed column no longer dominates distances and errors.
/// </summary>
/// <param name="Center">Subtracted from each value (the feature's median).</param>
/// <param name="Scale">Multiplies each centred value (1 / IQR, or the fallback).</param>
internal sealed record RobustScaling(float[] Center, float[] Scale)
{
    /// <summary>Whether <see cref="Apply"/> ends with the signed logarithm sign(z)·ln(1 + |z|).</summary>
    public bool SignedLog { get; init; }

    /// <summary>Fits the median and IQR of every feature.</summary>
    /// <param name="rows">Training rows, all of the same width.</param>
    /// <param name="signedLog">Whether to end with the signed logarithm (<see cref="SignedLog"/>).</param>
    /// <exception cref="ArgumentException">No rows, or rows of different widths.</exception>
    public static RobustScaling Fit(IReadOnlyList<float[]> rows, bool signedLog = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int width = AnomalyMath.CheckRows(rows, nameof(rows));
        var center = new float[width];
        var scale = new float[width];
        var column = new double[rows.Count];
        for (int j = 0; j < width; j++)
        {
            for (int i = 0; i < rows.Count; i++)
            {
                column[i] = rows[i][j];
            }

            Array.Sort(column);
            double median = AnomalyMath.SortedQuantile(column, 0.5);
            double spread = AnomalyMath.SortedQuantile(column, 0.75) - AnomalyMath.SortedQuantile(column, 0.25);
            if (!(spread > 1e-12))
            {
                double mean = column.Average();
                spread = Math.Sqrt(column.Sum(v => (v - mean) * (v - mean)) / column.Length);
            }

            center[j] = (float)median;
            scale[j] = spread > 1e-12 ? (float)(1 / spread) : 1f;
        }

        return new RobustScaling(center, scale) { SignedLog = signedLog };
    }

    /// <summary>Number of features.</summary>
    public int Width => Center.Length;

    /// <summary>Scales rows: z = (x − center) · scale, then sign(z)·ln(1 + |z|) with <see cref="SignedLog"/>.</summary>
    /// <param name="rows">Rows of <see cref="Width"/> values.</param>
    public float[][] Apply(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new float[rows.Count][];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.Length != Width)
            {
                throw new ArgumentException($"Row {i} has {row.Length} values; the scaling was fitted on {Width}.", nameof(rows));
            }

            var scaled = new float[Width];
            for (int j = 0; j < Width; j++)
            {
                float z = (row[j] - Center[j]) * Scale[j];
                scaled[j] = SignedLog ? MathF.Sign(z) * MathF.Log(MathF.Abs(z) + 1f) : z;
            }

            result[i] = scaled;
        }

        return result;
    }

    /// <inheritdoc/>
    public bool Equals(RobustScaling? other) =>
        other is not null && SignedLog == other.SignedLog && Center.AsSpan().SequenceEqual(other.Center) && Scale.AsSpan().SequenceEqual(other.Scale);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Center.Length, Center.Length > 0 ? Center[0] : 0f);
}

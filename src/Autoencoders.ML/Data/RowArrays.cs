namespace Autoencoders.ML.Data;

/// <summary>Rows handed to the model-level API (<c>float[]</c> per row), checked and packed for one tensor.</summary>
internal static class RowArrays
{
    /// <summary>
    /// The rows packed row after row, after checking each has <paramref name="width"/> finite values. The transforms refuse
    /// the same rows (a NaN or ±∞ would come back as NaN outputs, or as cluster 0 from an argmax, without an error).
    /// </summary>
    /// <param name="rows">The rows.</param>
    /// <param name="width">Values per row the model expects.</param>
    /// <param name="parameter">The parameter's name, for the error.</param>
    /// <param name="owner">"the model" or "the classifier", for the error.</param>
    /// <exception cref="ArgumentNullException">A row is null.</exception>
    /// <exception cref="ArgumentException">A row has another length, or holds NaN or ±∞; the message names the row and value index.</exception>
    public static float[] Flatten(IReadOnlyList<float[]> rows, int width, string parameter, string owner = "the model")
    {
        ArgumentNullException.ThrowIfNull(rows, parameter);
        var flat = new float[checked(rows.Count * width)];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i] ?? throw new ArgumentNullException(parameter, $"'{parameter}[{i}]' is null.");
            if (row.Length != width)
            {
                throw new ArgumentException($"'{parameter}[{i}]' has {row.Length} values per row; {owner} expects {width}.", parameter);
            }

            int bad = IndexOfNonFinite(row);
            if (bad >= 0)
            {
                throw new ArgumentException(
                    $"'{parameter}[{i}]' holds {row[bad]} at index {bad}; {owner} needs finite values. Impute or drop the row first.", parameter);
            }

            row.CopyTo(flat, i * width);
        }

        return flat;
    }

    private static int IndexOfNonFinite(float[] row)
    {
        for (int j = 0; j < row.Length; j++)
        {
            if (!float.IsFinite(row[j]))
            {
                return j;
            }
        }

        return -1;
    }

    /// <summary>The inverse of <see cref="Flatten"/>: <paramref name="rows"/> arrays of <paramref name="width"/> values copied out of <paramref name="flat"/>.</summary>
    public static float[][] Split(float[] flat, int rows, int width)
    {
        var result = new float[rows][];
        for (int i = 0; i < rows; i++)
        {
            result[i] = flat.AsSpan(i * width, width).ToArray();
        }

        return result;
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Data;

/// <summary>
/// The training rows and, optionally, the validation rows of one training run. A row holds the input column and, for
/// paired training, the target column side by side.
/// </summary>
internal sealed class TrainingData : IDisposable
{
    private TrainingData(RowSource training, RowSource? validation, IReadOnlyList<RowColumn> columns)
    {
        Training = training;
        Validation = validation;
        Columns = columns;
    }

    /// <summary>Rows the optimizer sees.</summary>
    public RowSource Training { get; }

    /// <summary>Rows only evaluated, or null.</summary>
    public RowSource? Validation { get; }

    /// <summary>The columns of a row, in order.</summary>
    public IReadOnlyList<RowColumn> Columns { get; }

    /// <summary>True when the training rows are held in one native tensor rather than streamed.</summary>
    public bool InMemory => Training is InMemoryRows;

    /// <summary>
    /// Reads and validates every row once (before any training): schema, finite values, value ranges. Data that fits in
    /// <paramref name="maxInMemoryBytes"/> is kept in one tensor; otherwise it is streamed on every epoch. Both sides of a
    /// split are checked to hold rows before training starts, in memory and streamed alike.
    /// </summary>
    /// <param name="data">The training rows.</param>
    /// <param name="columns">The columns of a row.</param>
    /// <param name="validationData">Separate validation rows, or null.</param>
    /// <param name="split">How many rows to hold out when <paramref name="validationData"/> is null.</param>
    /// <param name="seed">Seed of the split.</param>
    /// <param name="maxInMemoryBytes">Above this, rows are streamed.</param>
    /// <param name="shuffleWindow">Shuffle window of streamed rows.</param>
    public static TrainingData Load(
        IDataView data, IReadOnlyList<RowColumn> columns, IDataView? validationData, ValidationSplit split, int seed,
        long maxInMemoryBytes, int shuffleWindow)
    {
        if (validationData != null)
        {
            foreach (var column in columns)
            {
                int width = FeatureColumn.GetVectorSize(validationData.Schema, column.Name, "validation " + column.Role);
                if (width != column.Width)
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(validationData),
                        $"Validation column '{column.Name}' has vectors of size {width}, but the training data has size {column.Width}.");
                }
            }
        }

        var (rows, count) = ReadAndValidate(data, columns, maxInMemoryBytes);
        if (count == 0)
        {
            throw NoRows($"The training data has no rows (column '{columns[0].Name}'). Training needs at least one row.", columns[0].Name);
        }

        if (validationData != null)
        {
            var training = AllRows(data, columns, rows, count, shuffleWindow);
            var (validationRows, validationCount) = ReadAndValidate(validationData, columns, maxInMemoryBytes);
            if (validationCount == 0)
            {
                throw NoRows($"The validation data has no rows (column '{columns[0].Name}'). Pass validation rows, or none (null).", columns[0].Name);
            }

            return new TrainingData(training, AllRows(validationData, columns, validationRows, validationCount, shuffleWindow), columns);
        }

        if (split.Fraction <= 0)
        {
            return new TrainingData(AllRows(data, columns, rows, count, shuffleWindow), null, columns);
        }

        if (rows is not null)
        {
            // Exact split: a seeded permutation, the last fraction held out.
            long[] permutation = Enumerable.Range(0, (int)count).Select(i => (long)i).ToArray();
            var random = new Random(seed);
            for (int i = permutation.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
            }

            int held = (int)Math.Round(count * split.Fraction);
            if (!split.Leaves(held, count))
            {
                return new TrainingData(AllRows(data, columns, rows, count, shuffleWindow), null, columns);
            }

            return new TrainingData(
                new InMemoryRows(rows, permutation[..(int)(count - held)], ownsData: true),
                new InMemoryRows(rows, permutation[(int)(count - held)..], ownsData: false),
                columns);
        }

        // Streaming split: a seeded hash of the row index decides, so every pass sees the same split.
        bool IsValidation(long row) => Hash(seed, row) < split.Fraction;
        long heldOut = 0;
        for (long r = 0; r < count; r++)
        {
            heldOut += IsValidation(r) ? 1 : 0;
        }

        if (!split.Leaves(heldOut, count))
        {
            return new TrainingData(AllRows(data, columns, rows, count, shuffleWindow), null, columns);
        }

        return new TrainingData(
            new StreamingRows(data, columns, count - heldOut, r => !IsValidation(r), shuffleWindow),
            new StreamingRows(data, columns, heldOut, IsValidation, shuffleWindow),
            columns);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Training.Dispose();
        Validation?.Dispose();
    }

    private static InvalidRowException NoRows(string message, string column) =>
        new(message, column, null, null, "at least one row", "no rows");

    private static RowSource AllRows(IDataView data, IReadOnlyList<RowColumn> columns, Tensor? rows, long count, int shuffleWindow) =>
        rows is not null
            ? new InMemoryRows(rows, Enumerable.Range(0, (int)count).Select(i => (long)i).ToArray(), ownsData: true)
            : new StreamingRows(data, columns, count, _ => true, shuffleWindow);

    /// <summary>
    /// One pass over the columns: checks each row and, while the total stays under the limit, copies it into one
    /// tensor. Returns the tensor (null when the data is to be streamed) and the row count.
    /// </summary>
    private static (Tensor? Rows, long Count) ReadAndValidate(IDataView data, IReadOnlyList<RowColumn> columns, long maxInMemoryBytes)
    {
        int width = RowColumns.TotalWidth(columns);
        const int ChunkRows = 4096;
        var chunks = new List<float[]>();
        float[]? chunk = null;
        bool keep = maxInMemoryBytes > 0;
        long count = 0;
        var sources = columns.Select(c => data.Schema[c.Name]).ToArray();
        var values = new VBuffer<float>[columns.Count];
        using (var cursor = data.GetRowCursor(sources.Distinct()))
        {
            var getters = sources.Select(s => cursor.GetGetter<VBuffer<float>>(s)).ToArray();
            float[] row = new float[width];
            while (cursor.MoveNext())
            {
                int offset = 0;
                for (int c = 0; c < columns.Count; c++)
                {
                    var column = columns[c];
                    getters[c](ref values[c]);
                    if (values[c].Length != column.Width)
                    {
                        throw new InvalidRowException(
                            $"Column '{column.Name}', {InvalidRowException.Describe(count)} has {values[c].Length} values; expected {column.Width} " +
                            "(the column's declared size). Every row must have exactly that many values: fix or drop the row.",
                            column.Name, count, null, $"{column.Width} values", $"{values[c].Length} values");
                    }

                    var span = row.AsSpan(offset, column.Width);
                    values[c].CopyTo(span);
                    column.Range.Check(span, column.Name, count);
                    offset += column.Width;
                }

                if (keep)
                {
                    if ((count + 1) * width * 4L > maxInMemoryBytes)
                    {
                        keep = false;
                        chunks.Clear();
                        chunk = null;
                    }
                    else
                    {
                        int slot = (int)(count % ChunkRows);
                        if (slot == 0)
                        {
                            chunk = new float[ChunkRows * width];
                            chunks.Add(chunk);
                        }

                        row.CopyTo(chunk.AsSpan(slot * width, width));
                    }
                }

                count++;
            }
        }

        if (!keep || count == 0)
        {
            return (null, count);
        }

        var all = torch.empty(new long[] { count, width }, ScalarType.Float32);
        for (int c = 0; c < chunks.Count; c++)
        {
            long start = (long)c * ChunkRows;
            long n = Math.Min(ChunkRows, count - start);
            using var slice = all.narrow(0, start, n);
            using var accessor = slice.data<float>();
            accessor.CopyFrom((ReadOnlySpan<float>)chunks[c].AsSpan(0, (int)(n * width)), 0, 0);
        }

        return (all, count);
    }

    private static double Hash(int seed, long row)
    {
        // SplitMix64 of (seed, row): uniform in [0, 1).
        ulong z = unchecked(((ulong)(uint)seed << 32) ^ (ulong)row) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}

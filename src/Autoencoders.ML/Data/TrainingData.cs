using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.ML.Data;

/// <summary>The training rows and, optionally, the validation rows of one training run.</summary>
internal sealed class TrainingData : IDisposable
{
    private TrainingData(RowSource training, RowSource? validation)
    {
        Training = training;
        Validation = validation;
    }

    /// <summary>Rows the optimizer sees.</summary>
    public RowSource Training { get; }

    /// <summary>Rows only evaluated, or null.</summary>
    public RowSource? Validation { get; }

    /// <summary>True when the training rows are held in one native tensor rather than streamed.</summary>
    public bool InMemory => Training is InMemoryRows;

    /// <summary>
    /// Reads and validates every row once (before any training): schema, finite values, value range. Data that fits in
    /// <paramref name="maxInMemoryBytes"/> is kept in one tensor; otherwise it is streamed on every epoch.
    /// </summary>
    public static TrainingData Load(
        IDataView data, string column, IDataView? validationData, double validationFraction, int seed,
        ValueRange range, long maxInMemoryBytes, int shuffleWindow)
    {
        int width = FeatureColumn.GetVectorSize(data.Schema, column, "input");
        if (validationData != null)
        {
            int validationWidth = FeatureColumn.GetVectorSize(validationData.Schema, column, "validation input");
            if (validationWidth != width)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(validationData),
                    $"Validation column '{column}' has vectors of size {validationWidth}, but the training data has size {width}.");
            }
        }

        var (rows, count) = ReadAndValidate(data, column, width, range, maxInMemoryBytes);
        if (count == 0)
        {
            throw new InvalidOperationException($"The training data has no rows (column '{column}'). Training needs at least one row.");
        }

        if (validationData != null)
        {
            var training = AllRows(data, column, rows, count, width, shuffleWindow);
            var (validationRows, validationCount) = ReadAndValidate(validationData, column, width, range, maxInMemoryBytes);
            if (validationCount == 0)
            {
                throw new InvalidOperationException($"The validation data has no rows (column '{column}').");
            }

            var validation = AllRows(validationData, column, validationRows, validationCount, width, shuffleWindow);
            return new TrainingData(training, validation);
        }

        if (validationFraction <= 0)
        {
            return new TrainingData(AllRows(data, column, rows, count, width, shuffleWindow), null);
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

            int held = (int)Math.Round(count * validationFraction);
            if (held == 0 || held == count)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(validationFraction),
                    $"ValidationFraction {validationFraction} of {count} rows leaves {held} validation and {count - held} training rows; both need at least one.");
            }

            var tensor = rows;
            return new TrainingData(
                new InMemoryRows(tensor, permutation[..(int)(count - held)], ownsData: true),
                new InMemoryRows(tensor, permutation[(int)(count - held)..], ownsData: false));
        }

        // Streaming split: a seeded hash of the row index decides, so every pass sees the same split.
        bool IsValidation(long row) => Hash(seed, row) < validationFraction;
        long heldOut = 0;
        for (long r = 0; r < count; r++)
        {
            heldOut += IsValidation(r) ? 1 : 0;
        }

        return new TrainingData(
            new StreamingRows(data, column, width, count - heldOut, r => !IsValidation(r), shuffleWindow),
            new StreamingRows(data, column, width, heldOut, IsValidation, shuffleWindow));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Training.Dispose();
        Validation?.Dispose();
    }

    private static RowSource AllRows(IDataView data, string column, Tensor? rows, long count, int width, int shuffleWindow) =>
        rows is not null
            ? new InMemoryRows(rows, Enumerable.Range(0, (int)count).Select(i => (long)i).ToArray(), ownsData: true)
            : new StreamingRows(data, column, width, count, _ => true, shuffleWindow);

    /// <summary>
    /// One pass over the column: checks each row and, while the total stays under the limit, copies it into one tensor.
    /// Returns the tensor (null when the data is to be streamed) and the row count.
    /// </summary>
    private static (Tensor? Rows, long Count) ReadAndValidate(IDataView data, string column, int width, ValueRange range, long maxInMemoryBytes)
    {
        var source = data.Schema[column];
        const int ChunkRows = 4096;
        var chunks = new List<float[]>();
        float[]? chunk = null;
        bool keep = maxInMemoryBytes > 0;
        long count = 0;
        var value = default(VBuffer<float>);
        using (var cursor = data.GetRowCursor(new[] { source }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(source);
            float[] row = new float[width];
            while (cursor.MoveNext())
            {
                getter(ref value);
                if (value.Length != width)
                {
                    throw new InvalidOperationException($"Column '{column}', row {count} has {value.Length} values; expected {width}.");
                }

                value.CopyTo(row);
                range.Check(row, column, count);
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
            using var part = torch.tensor(chunks[c].AsSpan(0, (int)(n * width)).ToArray(), new long[] { n, width });
            using var slice = all.narrow(0, start, n);
            slice.copy_(part);
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

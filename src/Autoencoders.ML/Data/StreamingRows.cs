using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Data;

/// <summary>
/// Rows read from an <see cref="IDataView"/> on every pass, never all at once: memory is bounded by one shuffle window
/// (<c>window × width</c> floats) whatever the number of rows. Several columns are laid side by side in each row.
/// </summary>
internal sealed class StreamingRows : RowSource
{
    private readonly IDataView data;
    private readonly IReadOnlyList<RowColumn> columns;
    private readonly Func<long, bool> include;
    private readonly int window;

    /// <summary>Serves the rows for which <paramref name="include"/>(row index) is true.</summary>
    public StreamingRows(IDataView data, IReadOnlyList<RowColumn> columns, long rowCount, Func<long, bool> include, int window)
    {
        this.data = data;
        this.columns = columns;
        this.include = include;
        this.window = window;
        Width = RowColumns.TotalWidth(columns);
        RowCount = rowCount;
    }

    /// <summary>Serves every row of one column.</summary>
    public StreamingRows(IDataView data, string column, int width, int window)
        : this(data, new[] { new RowColumn(column, "input", width, ValueRange.Finite) }, 0, _ => true, window)
    {
    }

    /// <inheritdoc />
    public override long RowCount { get; }

    /// <inheritdoc />
    public override int Width { get; }

    /// <inheritdoc />
    /// <remarks>
    /// A window of rows is read, shuffled and served in batches, as if it were read whole before its first batch. But
    /// only the first window is read in one go: each batch served frees its rows' places in the window, and the next
    /// window's rows are read into them before the next batch, so reading keeps pace with training instead of stopping
    /// it for a whole window at a time (the prefetch queue holds only <see cref="Training.BatchPrefetcher.Depth"/>
    /// batches). Where each row sits is tracked, so the batches are exactly those of reading the window first.
    /// </remarks>
    public override IEnumerable<Tensor> Batches(int batchSize, Random? shuffle)
    {
        int windowRows = Math.Max(batchSize, window / batchSize * batchSize);
        float[] buffer = new float[(long)windowRows * Width];
        int[] order = new int[windowRows];
        // slot[i]: the place in the buffer of the window's i-th row read; next[i] the same for the window being read.
        int[] slot = Enumerable.Range(0, windowRows).ToArray();
        int[] next = new int[windowRows];
        var values = new VBuffer<float>[columns.Count];
        var sources = columns.Select(c => data.Schema[c.Name]).ToArray();
        using var cursor = data.GetRowCursor(sources.Distinct());
        var getters = sources.Select(s => cursor.GetGetter<VBuffer<float>>(s)).ToArray();
        long rowIndex = -1;
        bool more = true;

        // Reads the next included row into place `at` of the buffer; false at the end of the data.
        bool ReadInto(int at)
        {
            while (more && (more = cursor.MoveNext()))
            {
                rowIndex++;
                if (!include(rowIndex))
                {
                    continue;
                }

                int offset = at * Width;
                for (int c = 0; c < columns.Count; c++)
                {
                    getters[c](ref values[c]);
                    values[c].CopyTo(buffer.AsSpan(offset, columns[c].Width));
                    offset += columns[c].Width;
                }

                return true;
            }

            return false;
        }

        int filled = 0;
        while (filled < windowRows && ReadInto(slot[filled]))
        {
            filled++;
        }

        while (filled > 0)
        {
            for (int i = 0; i < filled; i++)
            {
                order[i] = i;
            }

            if (shuffle != null)
            {
                Shuffle(order.AsSpan(0, filled), shuffle);
            }

            int reading = 0;
            for (int start = 0; start < filled; start += batchSize)
            {
                int count = Math.Min(batchSize, filled - start);
                // Rows go from the window straight into the tensor's own memory (Tensor.bytes is a span over it): no
                // array per batch, which would land on the large-object heap and grow memory until a full collection.
                var tensor = torch.empty(new long[] { count, Width }, ScalarType.Float32);
                var rows = MemoryMarshal.Cast<byte, float>(tensor.bytes);
                for (int r = 0; r < count; r++)
                {
                    int place = slot[order[start + r]];
                    buffer.AsSpan(place * Width, Width).CopyTo(rows.Slice(r * Width, Width));
                    // The place is free: the next window's next row goes there.
                    next[start + r] = place;
                }

                while (reading < start + count && ReadInto(next[reading]))
                {
                    reading++;
                }

                yield return tensor;
            }

            (slot, next) = (next, slot);
            filled = reading;
            Runtime.NativeMemory.Trim();
        }
    }
}

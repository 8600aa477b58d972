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
    public override IEnumerable<Tensor> Batches(int batchSize, Random? shuffle)
    {
        int windowRows = Math.Max(batchSize, window / batchSize * batchSize);
        float[] buffer = new float[(long)windowRows * Width];
        int[] order = new int[windowRows];
        var values = new VBuffer<float>[columns.Count];
        var sources = columns.Select(c => data.Schema[c.Name]).ToArray();
        using var cursor = data.GetRowCursor(sources.Distinct());
        var getters = sources.Select(s => cursor.GetGetter<VBuffer<float>>(s)).ToArray();
        long rowIndex = -1;
        int filled = 0;
        while (true)
        {
            bool more = cursor.MoveNext();
            if (more)
            {
                rowIndex++;
                if (!include(rowIndex))
                {
                    continue;
                }

                int offset = filled * Width;
                for (int c = 0; c < columns.Count; c++)
                {
                    getters[c](ref values[c]);
                    values[c].CopyTo(buffer.AsSpan(offset, columns[c].Width));
                    offset += columns[c].Width;
                }

                filled++;
            }

            if (filled == windowRows || (!more && filled > 0))
            {
                for (int i = 0; i < filled; i++)
                {
                    order[i] = i;
                }

                if (shuffle != null)
                {
                    Shuffle(order.AsSpan(0, filled), shuffle);
                }

                for (int start = 0; start < filled; start += batchSize)
                {
                    int count = Math.Min(batchSize, filled - start);
                    // Rows go from the window straight into the tensor's own memory (Tensor.bytes is a span over it): no
                    // array per batch, which would land on the large-object heap and grow memory until a full collection.
                    var tensor = torch.empty(new long[] { count, Width }, ScalarType.Float32);
                    var rows = MemoryMarshal.Cast<byte, float>(tensor.bytes);
                    for (int r = 0; r < count; r++)
                    {
                        buffer.AsSpan(order[start + r] * Width, Width).CopyTo(rows.Slice(r * Width, Width));
                    }

                    yield return tensor;
                }

                filled = 0;
                Runtime.NativeMemory.Trim();
            }

            if (!more)
            {
                yield break;
            }
        }
    }
}

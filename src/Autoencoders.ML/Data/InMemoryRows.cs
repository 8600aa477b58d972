
namespace Autoencoders.ML.Data;

/// <summary>Rows held in one native (rows, width) tensor; a batch is an index_select of it.</summary>
internal sealed class InMemoryRows : RowSource
{
    private readonly Tensor data;
    private readonly long[] rows;
    private readonly bool ownsData;

    /// <summary>Serves <paramref name="rows"/> of <paramref name="data"/>.</summary>
    public InMemoryRows(Tensor data, long[] rows, bool ownsData)
    {
        this.data = data;
        this.rows = rows;
        this.ownsData = ownsData;
    }

    /// <inheritdoc />
    public override long RowCount => rows.Length;

    /// <inheritdoc />
    public override int Width => (int)data.shape[1];

    /// <inheritdoc />
    public override IEnumerable<Tensor> Batches(int batchSize, Random? shuffle)
    {
        long[] order = rows;
        if (shuffle != null)
        {
            order = (long[])rows.Clone();
            Shuffle(order.AsSpan(), shuffle);
        }

        for (int start = 0; start < order.Length; start += batchSize)
        {
            int count = Math.Min(batchSize, order.Length - start);
            using var index = torch.tensor(order.AsSpan(start, count).ToArray(), dtype: ScalarType.Int64);
            yield return data.index_select(0, index);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (ownsData)
        {
            data.Dispose();
        }
    }
}

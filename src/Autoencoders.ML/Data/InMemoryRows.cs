using System.Runtime.InteropServices;

namespace Autoencoders.ML.Data;

/// <summary>Rows held in one native (rows, width) tensor; a batch is a copy of some of its rows.</summary>
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

        // Rows of a float32 CPU tensor are copied row by row, not by index_select: a plain memory copy, with no torch
        // operation and no parallel region between the training step's own.
        bool copy = data.device_type == DeviceType.CPU && data.dtype == ScalarType.Float32 && data.is_contiguous()
            && data.numel() <= int.MaxValue / sizeof(float);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int count = Math.Min(batchSize, order.Length - start);
            if (copy)
            {
                yield return Gather(order.AsSpan(start, count));
                continue;
            }

            using var index = torch.tensor(order.AsSpan(start, count).ToArray(), dtype: ScalarType.Int64);
            yield return data.index_select(0, index);
        }
    }

    /// <inheritdoc />
    public override IEnumerable<Tensor> TrainingBatches(int batchSize, Random? shuffle) => Batches(batchSize, shuffle);

    private Tensor Gather(ReadOnlySpan<long> indices)
    {
        int width = Width;
        var batch = torch.empty(new long[] { indices.Length, width }, ScalarType.Float32);
        // Tensor.bytes is a span over the tensor's own memory.
        var source = MemoryMarshal.Cast<byte, float>(data.bytes);
        var target = MemoryMarshal.Cast<byte, float>(batch.bytes);
        for (int r = 0; r < indices.Length; r++)
        {
            source.Slice(checked((int)(indices[r] * width)), width).CopyTo(target.Slice(r * width, width));
        }

        return batch;
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

using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Reads up to <see cref="OnnxColumnMapper.BatchSize"/> input rows ahead, scores them in one call, then serves them one
/// by one. Pass-through columns are buffered for the batch so they stay aligned with the scored values.
/// </summary>
internal sealed class ScoredCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor input;
    private readonly OnnxColumnMapper mapper;
    private readonly bool[] active;
    private readonly int inputCount;
    private readonly ColumnBuffer?[] buffers;
    private readonly DataViewRowId[] ids;
    private readonly ValueGetter<DataViewRowId> inputId;
    private readonly ValueGetter<VBuffer<float>>? features;
    private readonly ScoredBatch? batch;
    private VBuffer<float> row;
    private int filled;
    private int slot = -1;
    private long position = -1;
    private bool done;

    public ScoredCursor(IDataView view, DataViewRowCursor input, OnnxColumnMapper mapper, bool[] active, bool score)
    {
        Schema = view.Schema;
        this.input = input;
        this.mapper = mapper;
        this.active = active;
        inputCount = input.Schema.Count;
        int capacity = score ? mapper.BatchSize : 1;
        buffers = new ColumnBuffer?[inputCount];
        for (int i = 0; i < inputCount; i++)
        {
            if (active[i])
            {
                buffers[i] = ColumnBuffer.Create(input, input.Schema[i], capacity);
            }
        }

        ids = new DataViewRowId[capacity];
        inputId = input.GetIdGetter();
        if (score)
        {
            batch = new ScoredBatch(mapper, capacity);
            features = input.GetGetter<VBuffer<float>>(input.Schema[mapper.InputColumnName]);
        }
    }

    public override DataViewSchema Schema { get; }

    public override long Position => position;

    public override long Batch => 0;

    public override bool MoveNext()
    {
        if (++slot < filled)
        {
            position++;
            return true;
        }

        if (done || !FillBatch())
        {
            done = true;
            return false;
        }

        slot = 0;
        position++;
        return true;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = ids[slot];

    public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!active[column.Index])
        {
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
        }

        if (column.Index < inputCount)
        {
            return buffers[column.Index]!.Getter(() => slot) as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        return batch!.Getter<TValue>(column, column.Index - inputCount, () => slot, ensureScored: null);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool FillBatch()
    {
        // A view outlives nothing: once its transform is disposed, reading on fails clearly instead of touching a
        // released session.
        mapper.Scorer.ThrowIfDisposed();
        filled = 0;
        batch?.Clear();
        int capacity = ids.Length;
        while (filled < capacity && input.MoveNext())
        {
            for (int i = 0; i < inputCount; i++)
            {
                buffers[i]?.Fill(filled);
            }

            inputId(ref ids[filled]);
            if (features != null)
            {
                features(ref row);
                batch!.Add(row, input.Position);
            }

            filled++;
        }

        if (filled == 0)
        {
            return false;
        }

        batch?.Score();
        return true;
    }
}

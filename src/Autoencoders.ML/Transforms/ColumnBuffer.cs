using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Holds the values of one pass-through column for every row of the current batch, so that the batch can be read ahead
/// of the row being served.
/// </summary>
internal abstract class ColumnBuffer
{
    public static ColumnBuffer Create(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
    {
        var type = column.Type is VectorDataViewType vector
            ? typeof(VectorColumnBuffer<>).MakeGenericType(vector.ItemType.RawType)
            : typeof(ScalarColumnBuffer<>).MakeGenericType(column.Type.RawType);
        return (ColumnBuffer)Activator.CreateInstance(type, cursor, column, capacity)!;
    }

    /// <summary>Copies the cursor's current value into slot <paramref name="slot"/>.</summary>
    public abstract void Fill(int slot);

    /// <summary>A getter that serves the slot returned by <paramref name="currentSlot"/>.</summary>
    public abstract Delegate Getter(Func<int> currentSlot);
}

/// <summary>Buffers an immutable value type column (numbers, text, keys, booleans...).</summary>
internal sealed class ScalarColumnBuffer<T> : ColumnBuffer
{
    private readonly ValueGetter<T> source;
    private readonly T[] values;

    public ScalarColumnBuffer(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
    {
        source = cursor.GetGetter<T>(column);
        values = new T[capacity];
    }

    public override void Fill(int slot) => source(ref values[slot]);

    public override Delegate Getter(Func<int> currentSlot) => (ValueGetter<T>)((ref T value) => value = values[currentSlot()]);
}

/// <summary>Buffers a vector column; each slot owns its arrays and consumers receive copies.</summary>
internal sealed class VectorColumnBuffer<TItem> : ColumnBuffer
{
    private readonly ValueGetter<VBuffer<TItem>> source;
    private readonly VBuffer<TItem>[] values;

    public VectorColumnBuffer(DataViewRowCursor cursor, DataViewSchema.Column column, int capacity)
    {
        source = cursor.GetGetter<VBuffer<TItem>>(column);
        values = new VBuffer<TItem>[capacity];
    }

    public override void Fill(int slot) => source(ref values[slot]);

    public override Delegate Getter(Func<int> currentSlot) =>
        (ValueGetter<VBuffer<TItem>>)((ref VBuffer<TItem> value) => values[currentSlot()].CopyTo(ref value));
}

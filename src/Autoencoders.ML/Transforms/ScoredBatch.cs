using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Rows gathered for one ONNX Runtime call and the values it returned: the one getter path shared by the batched cursor
/// (many rows) and the row mapper behind PredictionEngine (one row). Every row is checked here, on its way in.
/// </summary>
/// <remarks>
/// A row must have exactly the column's declared number of values and only finite values; anything else is an
/// <see cref="InvalidOperationException"/> naming the column, the row and what was found. (A short row would otherwise
/// be scored with the tail of an earlier row, and a NaN would silently give NaN outputs.)
/// </remarks>
internal sealed class ScoredBatch
{
    private readonly OnnxColumnMapper mapper;
    private readonly float[] inputs;
    private readonly float[][] results;

    public ScoredBatch(OnnxColumnMapper mapper, int capacity)
    {
        this.mapper = mapper;
        Capacity = capacity;
        inputs = new float[capacity * mapper.InputSize];
        results = new float[mapper.Outputs.Count][];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = new float[capacity * mapper.Outputs[i].Size];
        }
    }

    /// <summary>Rows the batch can hold.</summary>
    public int Capacity { get; }

    /// <summary>Rows added since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Forgets the rows (the arrays are reused).</summary>
    public void Clear() => Count = 0;

    /// <summary>Checks <paramref name="row"/> and copies it into the next slot.</summary>
    /// <param name="row">The input column's value.</param>
    /// <param name="rowIndex">The row's position in the data, for the error message.</param>
    /// <exception cref="InvalidOperationException">Wrong length, or a NaN/∞ value; the message names column and row.</exception>
    public void Add(in VBuffer<float> row, long rowIndex)
    {
        int size = mapper.InputSize;
        if (row.Length != size)
        {
            throw new InvalidOperationException(
                $"Column '{mapper.InputColumnName}', row {rowIndex}: the vector has {row.Length} values, but the column is declared as " +
                $"Vector<Single, {size}>. Give every row exactly {size} values (for a PredictionEngine, an input array of length {size}).");
        }

        var slot = inputs.AsSpan(Count * size, size);
        row.CopyTo(slot);
        int bad = FirstNonFinite(slot);
        if (bad >= 0)
        {
            throw new InvalidOperationException(
                $"Column '{mapper.InputColumnName}', row {rowIndex}, value {bad} is {slot[bad]}. Scoring needs finite numbers: " +
                "remove or impute the row (for example mlContext.Transforms.ReplaceMissingValues) before scoring.");
        }

        Count++;
    }

    /// <summary>True if the batch holds one row equal to <paramref name="row"/> (NaN-safe, bit for bit).</summary>
    public bool HoldsOnly(in VBuffer<float> row)
    {
        if (Count != 1 || row.Length != mapper.InputSize)
        {
            return false;
        }

        int i = 0;
        foreach (float v in row.DenseValues())
        {
            if (v.CompareTo(inputs[i++]) != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs the graph on the rows added.</summary>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public void Score()
    {
        if (Count > 0)
        {
            mapper.Scorer.Score(inputs, Count, mapper.Outputs, results);
        }
    }

    /// <summary>A getter for output <paramref name="output"/> of <paramref name="column"/>.</summary>
    /// <param name="column">The output column, for type errors.</param>
    /// <param name="output">Index among the mapper's outputs.</param>
    /// <param name="slot">Which row of the batch the caller is on.</param>
    /// <param name="ensureScored">Run before every read (the row mapper scores on demand); null if already scored.</param>
    public ValueGetter<TValue> Getter<TValue>(DataViewSchema.Column column, int output, Func<int> slot, Action? ensureScored)
    {
        var spec = mapper.Outputs[output];
        float[] values = results[output];
        if (spec.IsScalar)
        {
            ValueGetter<float> scalar = (ref float value) =>
            {
                ensureScored?.Invoke();
                value = values[slot()];
            };
            return scalar as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is Single; it cannot be read as {typeof(TValue).Name}.");
        }

        int size = spec.Size;
        ValueGetter<VBuffer<float>> vector = (ref VBuffer<float> value) =>
        {
            ensureScored?.Invoke();
            var editor = VBufferEditor.Create(ref value, size);
            values.AsSpan(slot() * size, size).CopyTo(editor.Values);
            value = editor.Commit();
        };
        return vector as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is Vector<Single, {size}>; it cannot be read as {typeof(TValue).Name}.");
    }

    /// <summary>Index of the first NaN or ±∞ in <paramref name="values"/>, or -1.</summary>
    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        // x - x is 0 for every finite x and NaN for NaN and ±∞: one vector pass tells whether to look further.
        var sum = Vector<float>.Zero;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        foreach (var v in vectors)
        {
            sum += v - v;
        }

        bool clean = Vector.EqualsAll(sum, Vector<float>.Zero);
        for (int i = vectors.Length * Vector<float>.Count; clean && i < values.Length; i++)
        {
            clean = float.IsFinite(values[i]);
        }

        if (clean)
        {
            return -1;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}

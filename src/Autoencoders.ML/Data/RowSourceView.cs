using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Data;

/// <summary>
/// Rows of a <see cref="RowSource"/> as an <see cref="IDataView"/> with one known-size vector column, read batch by batch
/// on every pass (in order, never all at once), for code that takes a data view such as the PCA baseline.
/// </summary>
internal static class RowSourceView
{
    /// <summary>The column's name.</summary>
    public const string Column = DefaultColumnNames.Features;

    private const int BatchRows = 1024;

    /// <summary>A view of <paramref name="rows"/>, whose rows are one vector column, <see cref="Column"/>.</summary>
    public static IDataView Create(MLContext mlContext, RowSource rows)
    {
        var schema = SchemaDefinition.Create(typeof(VectorRow));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows.Width);
        return mlContext.Data.LoadFromEnumerable(Read(rows), schema);
    }

    private static IEnumerable<VectorRow> Read(RowSource rows)
    {
        int width = rows.Width;
        foreach (var batch in rows.Batches(BatchRows, shuffle: null))
        {
            float[] values;
            using (batch)
            using (var scope = TorchSharp.torch.NewDisposeScope())
            {
                values = batch.contiguous().data<float>().ToArray();
            }

            for (int start = 0; start < values.Length; start += width)
            {
                yield return new VectorRow { Features = values.AsSpan(start, width).ToArray() };
            }
        }
    }

    /// <summary>One row of the view.</summary>
    private sealed class VectorRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}

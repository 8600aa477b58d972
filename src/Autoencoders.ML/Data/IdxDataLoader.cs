using Autoencoders.ML.Data;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>Loads IDX files (MNIST format) as an <see cref="IDataView"/>.</summary>
public static partial class AutoencodersCatalog
{
    /// <summary>Default name of the feature column.</summary>
    public const string DefaultFeatureColumn = "Features";

    /// <summary>Default name of the label column.</summary>
    public const string DefaultLabelColumn = "Label";

    /// <summary>
    /// Loads an IDX file of items (for example <c>train-images-idx3-ubyte.gz</c>) as a column of known-size
    /// <c>Vector&lt;Single&gt;</c>, each item flattened row-major and multiplied by <paramref name="scale"/>, plus
    /// optionally a <see cref="float"/> label column read from a second IDX file.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="itemsPath">IDX file of items (rank ≥ 2).</param>
    /// <param name="labelsPath">Optional IDX file of one label per item.</param>
    /// <param name="scale">Multiplier for every value, e.g. 1/255 to bring bytes to [0, 1]. Default 1.</param>
    /// <param name="maxRows">Read at most this many items (null = all).</param>
    /// <param name="featureColumn">Name of the feature column.</param>
    /// <param name="labelColumn">Name of the label column.</param>
    public static IDataView LoadFromIdx(
        this DataOperationsCatalog catalog,
        string itemsPath,
        string? labelsPath = null,
        float scale = 1f,
        int? maxRows = null,
        string featureColumn = DefaultFeatureColumn,
        string labelColumn = DefaultLabelColumn)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var items = IdxFile.Read(itemsPath, maxRows);
        if (items.Dimensions.Length < 2)
        {
            throw new InvalidDataException($"IDX file '{itemsPath}' holds a rank-1 array; items need rank ≥ 2 (for example images N×28×28).");
        }

        IdxFile? labels = labelsPath == null ? null : IdxFile.Read(labelsPath, maxRows);
        if (labels != null && labels.Count != items.Count)
        {
            throw new InvalidDataException(
                $"IDX file '{labelsPath}' has {labels.Count} labels but '{itemsPath}' has {items.Count} items; they must match.");
        }

        int size = items.ItemSize;
        var features = new float[items.Count][];
        for (int i = 0; i < items.Count; i++)
        {
            features[i] = new float[size];
            for (int j = 0; j < size; j++)
            {
                features[i][j] = items.Values[((long)i * size) + j] * scale;
            }
        }

        var vectorType = new VectorDataViewType(NumberDataViewType.Single, size);
        if (labels == null)
        {
            var schema = SchemaDefinition.Create(typeof(ItemRow));
            schema[nameof(ItemRow.Features)].ColumnType = vectorType;
            schema[nameof(ItemRow.Features)].ColumnName = featureColumn;
            return catalog.LoadFromEnumerable(features.Select(f => new ItemRow { Features = f }).ToList(), schema);
        }

        var labeled = SchemaDefinition.Create(typeof(LabeledRow));
        labeled[nameof(LabeledRow.Features)].ColumnType = vectorType;
        labeled[nameof(LabeledRow.Features)].ColumnName = featureColumn;
        labeled[nameof(LabeledRow.Label)].ColumnName = labelColumn;
        return catalog.LoadFromEnumerable(
            features.Select((f, i) => new LabeledRow { Features = f, Label = labels.Values[i] }).ToList(), labeled);
    }

    private sealed class ItemRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class LabeledRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }
}

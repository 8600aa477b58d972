using System.IO;
using System.IO.Compression;
using Autoencoders.ML.Data;
using Autoencoders.ML.IO;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>Loading: saved pipelines with this library's transforms restored, on <c>mlContext.Model</c>, and IDX files (MNIST format) as an <see cref="IDataView"/>, on <c>mlContext.Data</c>.</summary>
public static partial class AutoencodersCatalog
{
    /// <summary>
    /// Loads a pipeline saved with <c>mlContext.Model.Save</c>, like <c>mlContext.Model.Load</c>, and gives back this
    /// library's transforms in it: each <see cref="AutoencoderTransformer"/> and <see cref="LatentDecoderTransformer"/>
    /// comes back as itself — same columns and types (the reconstruction error is a <c>Single</c> again), batched
    /// scoring, and its <see cref="AutoencoderModel"/> whole (architecture, options, history, weights), so decode,
    /// posterior, export and continued training work. Every other stage is ML.NET's, as <c>Load</c> returns it.
    /// </summary>
    /// <remarks>
    /// A pipeline saved by a version of this library that did not keep the model in the zip loads as with
    /// <c>mlContext.Model.Load</c> (its stages stay ML.NET's <c>OnnxTransformer</c>); save it again to restore it. Stages
    /// that were rebuilt are nested in a <see cref="TransformerChain{TLastTransformer}"/> of <see cref="ITransformer"/>.
    /// Disposing an <see cref="AutoencoderTransformer"/> disposes its model.
    /// </remarks>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="filePath">The model zip.</param>
    /// <param name="inputSchema">The schema the pipeline was saved with.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="InvalidDataException">The zip is damaged (the message names the file), or one of this library's graphs in it is (the message names the file and entry).</exception>
    public static ITransformer LoadAutoencoderPipeline(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        if (!File.Exists(filePath))
        {
            throw new FileNotFoundException($"Model file '{filePath}' does not exist.", filePath);
        }

        using var stream = File.OpenRead(filePath);
        return Load(catalog, stream, filePath, out inputSchema);
    }

    /// <summary>As <see cref="LoadAutoencoderPipeline(ModelOperationsCatalog, string, out DataViewSchema)"/>, from a stream (read to its end).</summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="stream">The model zip's bytes.</param>
    /// <param name="inputSchema">The schema the pipeline was saved with.</param>
    /// <returns>The pipeline.</returns>
    public static ITransformer LoadAutoencoderPipeline(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        return Load(catalog, stream, "model stream", out inputSchema);
    }

    // Our graphs are verified first (their errors name the entry); whatever ML.NET's own loader then refuses in a damaged
    // zip is reported naming the file, its message kept.
    private static ITransformer Load(ModelOperationsCatalog catalog, Stream stream, string source, out DataViewSchema inputSchema)
    {
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        bytes.Position = 0;
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(bytes, ZipArchiveMode.Read, leaveOpen: true);
            _ = zip.Entries.Count;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw Unreadable(source, e);
        }

        IReadOnlyDictionary<string, SavedPipeline.Graph> graphs;
        using (zip)
        {
            graphs = SavedPipeline.Graphs(zip, source);
        }

        bytes.Position = 0;
        ITransformer loaded;
        try
        {
            loaded = catalog.Load(bytes, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Unreadable(source, e);
        }

        return graphs.Count == 0 ? loaded : SavedPipeline.Restore(loaded, graphs, source);
    }

    private static InvalidDataException Unreadable(string source, Exception e) =>
        new($"'{source}' is not a loadable ML.NET model zip ({e.Message.Split('\n')[0].Trim()}). The file is truncated or damaged; save the pipeline again.", e);

    /// <summary>Default name of the feature column.</summary>
    public const string DefaultFeatureColumn = DefaultColumnNames.Features;

    /// <summary>Default name of the label column.</summary>
    public const string DefaultLabelColumn = DefaultColumnNames.Label;

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

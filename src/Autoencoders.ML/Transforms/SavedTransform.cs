using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using Autoencoders.ML.IO;
using Onnx;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// What a scoring transform needs to come back from a saved pipeline besides its model: which transform it was, its
/// columns and batch size. Written as JSON to the metadata entry <c>autoencoders_ml.transform</c> of the graph that
/// <c>mlContext.Model.Save</c> embeds (next to <see cref="EmbeddedModel"/>'s entries), read by
/// <c>mlContext.Model.LoadAutoencoderPipeline</c>. Each transform type is restored in one place, <see cref="Restore"/>.
/// </summary>
internal sealed record SavedTransform
{
    /// <summary>The metadata key.</summary>
    public const string MetadataKey = "autoencoders_ml.transform";

    /// <summary>The transformer's type name: <c>AutoencoderTransformer</c> or <c>LatentDecoderTransformer</c>.</summary>
    public string Transform { get; init; } = string.Empty;

    /// <summary>The column read.</summary>
    public string InputColumn { get; init; } = string.Empty;

    /// <summary>An autoencoder transform's latent column, or a decoder's output column.</summary>
    public string? LatentColumn { get; init; }

    /// <summary>An autoencoder transform's reconstruction column.</summary>
    public string? ReconstructionColumn { get; init; }

    /// <summary>An autoencoder transform's error column.</summary>
    public string? ErrorColumn { get; init; }

    /// <summary>A variational autoencoder transform's log-variance column.</summary>
    public string? LogVarianceColumn { get; init; }

    /// <summary>A decoder transform's output column.</summary>
    public string? OutputColumn { get; init; }

    /// <summary>Rows per ONNX Runtime call.</summary>
    public int ScoringBatchSize { get; init; }

    /// <summary>
    /// True when an output replaces the input column: the saved form is then a chain of three stages
    /// (OnnxTransformer, copy, drop) rather than one OnnxTransformer.
    /// </summary>
    public bool InPlace { get; init; }

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The metadata entry.</summary>
    public (string Key, string Value) Entry() => (MetadataKey, JsonSerializer.Serialize(this, Json));

    /// <summary>The description <paramref name="graph"/> carries, or null if it is not one of this library's.</summary>
    /// <exception cref="InvalidDataException">The entry is there but is not valid.</exception>
    public static SavedTransform? Of(ModelProto graph, string source)
    {
        string? text = graph.MetadataProps.FirstOrDefault(p => p.Key == MetadataKey)?.Value;
        if (text == null)
        {
            return null;
        }

        try
        {
            var saved = JsonSerializer.Deserialize<SavedTransform>(text, Json);
            if (saved != null && saved.InputColumn.Length > 0 && saved.ScoringBatchSize > 0)
            {
                return saved;
            }
        }
        catch (JsonException)
        {
        }

        throw new InvalidDataException($"'{source}': metadata entry {MetadataKey} is not a valid transform description ({text}). The file is damaged; save the pipeline again.");
    }

    /// <summary>The transform again, on <paramref name="model"/>.</summary>
    /// <param name="model">The model rebuilt from the same graph.</param>
    /// <param name="ownsModel">Whether disposing the transform disposes the model.</param>
    /// <param name="source">Names the graph in errors.</param>
    public ScoringTransformer Restore(AutoencoderModel model, bool ownsModel, string source) => Transform switch
    {
        nameof(AutoencoderTransformer) => new AutoencoderTransformer(
            model,
            new AutoencoderColumns
            {
                InputColumnName = InputColumn,
                LatentColumnName = LatentColumn,
                ReconstructionColumnName = ReconstructionColumn,
                ReconstructionErrorColumnName = ErrorColumn,
                LogVarianceColumnName = LogVarianceColumn,
            },
            ScoringBatchSize,
            scoringThreads: null,
            ownsModel),
        nameof(LatentDecoderTransformer) => new LatentDecoderTransformer(
            model, OutputColumn ?? throw Invalid(source, "OutputColumn"), InputColumn, ScoringBatchSize, scoringThreads: null),
        _ => throw new InvalidDataException(
            $"'{source}': the saved transform is a '{Transform}', which this version of Autoencoders.ML does not know. Load it with the version that saved it, or with stock mlContext.Model.Load."),
    };

    private static InvalidDataException Invalid(string source, string what) =>
        new($"'{source}': metadata entry {MetadataKey} has no {what}. The file is damaged; save the pipeline again.");
}

using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using Autoencoders.ML.IO;
using Autoencoders.ML.Onnx;
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
    /// <summary>
    /// The transformer's type name: <c>AutoencoderTransformer</c>, <c>LatentDecoderTransformer</c>, or a task
    /// (<c>AutoencoderAnomalyTransformer</c>, <c>AutoencoderClassifierTransformer</c>, <c>MixtureClusterTransformer</c>).
    /// </summary>
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

    /// <summary>A task's score column (the detector's Single, the classifier's probabilities, the clusters' −log q(y|x)).</summary>
    public string? ScoreColumn { get; init; }

    /// <summary>A task's predicted-label column.</summary>
    public string? PredictedLabelColumn { get; init; }

    /// <summary>The clusters' q(y|x) column.</summary>
    public string? ProbabilitiesColumn { get; init; }

    /// <summary>The detector's threshold.</summary>
    public double? Threshold { get; init; }

    /// <summary>The fraction of anomalies the detector's threshold was derived from; null when it was set directly.</summary>
    public double? Contamination { get; init; }

    /// <summary>
    /// How many stages the saved form has at its level of the chain: 1 (an OnnxTransformer), 3 (in place:
    /// OnnxTransformer, copy, drop) or 2 (a task: OnnxTransformer, then its ML.NET stages as one chain). Null in
    /// files written before tasks were saved: <see cref="InPlace"/> decides.
    /// </summary>
    public int? Stages { get; init; }

    /// <summary>The number of stages the saved form has (see <see cref="Stages"/>).</summary>
    [JsonIgnore]
    public int SavedStages => Stages ?? (InPlace ? 3 : 1);

    /// <summary>Whether this is a task transform ("ONNX scorer + ML.NET stages", <see cref="ScoringTransformer"/>), which owns its own model.</summary>
    [JsonIgnore]
    public bool IsTask => Transform is nameof(Anomaly.AutoencoderAnomalyTransformer) or nameof(Classification.AutoencoderClassifierTransformer) or nameof(MixtureClusterTransformer);

    /// <summary>Rows per ONNX Runtime call.</summary>
    public int ScoringBatchSize { get; init; }

    /// <summary>
    /// True when an output replaces the input column: the saved form is then a chain of three stages
    /// (OnnxTransformer, copy, drop) rather than one OnnxTransformer.
    /// </summary>
    public bool InPlace { get; init; }

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The metadata entry.</summary>
    public (string Key, string Value) Entry() => (OnnxNames.TransformKey, JsonSerializer.Serialize(this, Json));

    /// <summary>A description written by <see cref="Entry"/> as a file of its own (a task's folder).</summary>
    /// <exception cref="InvalidDataException">The text is not a valid description; the message names <paramref name="source"/>.</exception>
    public static SavedTransform FromJson(string text, string source) =>
        Parse(text) ?? throw new InvalidDataException($"'{source}' is not a valid transform description ({text}). The file is damaged; save it again.");

    /// <summary>The description <paramref name="graph"/> carries, or null if it is not one of this library's.</summary>
    /// <exception cref="InvalidDataException">The entry is there but is not valid.</exception>
    public static SavedTransform? Of(ModelProto graph, string source)
    {
        string? text = graph.MetadataProps.FirstOrDefault(p => p.Key == OnnxNames.TransformKey)?.Value;
        if (text == null)
        {
            return null;
        }

        return Parse(text) ?? throw new InvalidDataException($"'{source}': metadata entry {OnnxNames.TransformKey} is not a valid transform description ({text}). The file is damaged; save the pipeline again.");
    }

    private static SavedTransform? Parse(string text)
    {
        try
        {
            var saved = JsonSerializer.Deserialize<SavedTransform>(text, Json);
            return saved != null && saved.InputColumn.Length > 0 && saved.ScoringBatchSize > 0 ? saved : null;
        }
        catch (JsonException)
        {
            return null;
        }
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

    /// <summary>A task transform again, on <paramref name="model"/> (which it owns from now on) and the state <paramref name="graph"/> carries.</summary>
    /// <param name="model">The model rebuilt from the same graph.</param>
    /// <param name="graph">The saved graph (its metadata was verified).</param>
    /// <param name="source">Names the graph in errors.</param>
    public ScoringTransformer RestoreTask(AutoencoderModel model, ModelProto graph, string source) => Transform switch
    {
        nameof(Anomaly.AutoencoderAnomalyTransformer) => Anomaly.AutoencoderAnomalyTransformer.Restore(this, model, graph, source),
        nameof(Classification.AutoencoderClassifierTransformer) => Classification.AutoencoderClassifierTransformer.Restore(this, model, graph, source),
        nameof(MixtureClusterTransformer) => MixtureClusterTransformer.Restore(this, model, source),
        _ => throw new InvalidOperationException($"'{Transform}' is not a task transform."),
    };

    /// <summary>The value of a setting that must be there.</summary>
    public T Require<T>(T? value, string what, string source)
        where T : class => value ?? throw Invalid(source, what);

    /// <summary>The value of a setting that must be there.</summary>
    public T Require<T>(T? value, string what, string source)
        where T : struct => value ?? throw Invalid(source, what);

    private static InvalidDataException Invalid(string source, string what) =>
        new($"'{source}': metadata entry {OnnxNames.TransformKey} has no {what}. The file is damaged; save the pipeline again.");
}

using Autoencoders.ML.IO;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Clusters rows with a trained Gaussian-mixture VAE, like ML.NET's clustering trainers: adds the latent mean
/// (<c>Latent</c>, optional), q(y|x) (<c>ClusterProbabilities</c>, K values), <c>Score</c> (−log q(y|x), K values,
/// smallest for the chosen component) and <c>PredictedLabel</c> (a key of K values; key k + 1 is component k). Made by
/// <c>mlContext.Transforms.ClusterWithMixture(model).Fit(data)</c>.
/// </summary>
/// <remarks>
/// The encoder graph is scored in batches through ONNX Runtime; ML.NET's MapValueToKey then turns the component index
/// into the key. Saving and reloading work as for every <see cref="ScoringTransformer"/>:
/// <c>mlContext.Model.LoadAutoencoderPipeline</c> gives this transform back with its <see cref="Model"/>; after a stock
/// <c>mlContext.Model.Load</c>, <c>PredictedLabel</c> is a one-element vector of the same key type.
/// </remarks>
public sealed class MixtureClusterTransformer : ScoringTransformer
{
    internal MixtureClusterTransformer(AutoencoderModel model, MixtureClusterColumns columns, int scoringBatchSize, bool ownsModel)
        : base(Describe(model, columns), scoringBatchSize, scoringThreads: null, KeyStages(model.Clusters, columns.PredictedLabelColumnName), ownsModel ? model : null)
    {
        Model = model;
        Columns = columns;
    }

    /// <summary>The Gaussian-mixture VAE whose encoder the transform runs.</summary>
    public AutoencoderModel Model { get; }

    /// <summary>The columns read and written.</summary>
    public MixtureClusterColumns Columns { get; }

    /// <summary>The graph the transform scores: the component index goes to a helper column that the key stage reads.</summary>
    internal static ScoringGraph Describe(AutoencoderModel model, MixtureClusterColumns columns)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(columns);
        columns.Validate();
        int k = model.Clusters; // throws NotSupportedException for other kinds
        var outputs = new List<ScoredColumn>();
        if (columns.LatentColumnName != null)
        {
            outputs.Add(new ScoredColumn(columns.LatentColumnName, OnnxNames.Latent, model.LatentSize, IsScalar: false));
        }

        outputs.Add(new ScoredColumn(columns.ProbabilitiesColumnName, MixtureOnnx.ClusterProbabilities, k, IsScalar: false));
        outputs.Add(new ScoredColumn(columns.ScoreColumnName, MixtureOnnx.ClusterScore, k, IsScalar: false));
        outputs.Add(new ScoredColumn(IndexColumn(columns), MixtureOnnx.Cluster, 1, IsScalar: true));
        if (outputs.Any(o => o.ColumnName == columns.InputColumnName))
        {
            throw new ArgumentException($"The input column '{columns.InputColumnName}' is also an output column; give the outputs other names.", nameof(columns));
        }

        var names = outputs.Select(o => o.OnnxOutput).ToArray();
        return new ScoringGraph(
            columns.InputColumnName, "input", OnnxNames.Features, model.InputSize, "the model's input size", outputs,
            (rename, perRow) => OnnxScoringGraph.Build(model, names, rename, perRow));
    }

    /// <summary>The clusters a saved pipeline's graph describes (see <see cref="SavedTransform.RestoreTask"/>).</summary>
    internal static MixtureClusterTransformer Restore(SavedTransform saved, AutoencoderModel model, string source)
    {
        var columns = new MixtureClusterColumns
        {
            InputColumnName = saved.InputColumn,
            LatentColumnName = saved.LatentColumn,
            ProbabilitiesColumnName = saved.Require(saved.ProbabilitiesColumn, nameof(saved.ProbabilitiesColumn), source),
            ScoreColumnName = saved.Require(saved.ScoreColumn, nameof(saved.ScoreColumn), source),
            PredictedLabelColumnName = saved.Require(saved.PredictedLabelColumn, nameof(saved.PredictedLabelColumn), source),
        };
        return new MixtureClusterTransformer(model, columns, saved.ScoringBatchSize, ownsModel: true);
    }

    private protected override SavedTransform Saved => new()
    {
        LatentColumn = Columns.LatentColumnName,
        ProbabilitiesColumn = Columns.ProbabilitiesColumnName,
        ScoreColumn = Columns.ScoreColumnName,
        PredictedLabelColumn = Columns.PredictedLabelColumnName,
    };

    private protected override AutoencoderModel SavedModel => Model;

    /// <summary>The shape after the transform: the graph's columns but its component index, then the key column.</summary>
    internal static SchemaShape OutputShape(ScoringGraph graph, int clusters, MixtureClusterColumns columns, SchemaShape inputSchema)
    {
        SchemaShapes.CheckVectorOfSingle(inputSchema, graph.InputColumnName, graph.InputRole);
        var added = graph.Outputs.Take(graph.Outputs.Count - 1).Select(o => (o.ColumnName, o.Type))
            .Append((columns.PredictedLabelColumnName, (DataViewType)new KeyDataViewType(typeof(uint), clusters)));
        return SchemaShapes.Append(inputSchema, added);
    }

    private static string IndexColumn(MixtureClusterColumns columns) => columns.PredictedLabelColumnName + ".ComponentIndex";

    // ML.NET's MapValueToKey with the component indices 0..K−1 as key data (key k + 1 is component k), then the index dropped.
    private static ITransformer KeyStages(int clusters, string predictedLabelColumnName)
    {
        var ml = new MLContext();
        string index = predictedLabelColumnName + ".ComponentIndex";
        var keys = ml.Data.LoadFromEnumerable(Enumerable.Range(0, clusters).Select(k => new KeyRow { Value = k }));
        return FitStages(ml, ml.Transforms.Conversion.MapValueToKey(predictedLabelColumnName, index, keyData: keys).Append(ml.Transforms.DropColumns(index)), index);
    }

    private sealed class KeyRow
    {
        public float Value { get; set; }
    }
}

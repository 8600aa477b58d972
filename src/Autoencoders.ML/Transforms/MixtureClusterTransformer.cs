using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Scores a Gaussian-mixture VAE's encoder graph over a column: the latent mean, q(y|x), −log q(y|x) and the most likely
/// component (as a Single; <see cref="MixtureCatalog.ClusterWithMixture"/> turns it into the <c>PredictedLabel</c> key).
/// Batched ONNX Runtime scoring, PredictionEngine and portable saving as for every <see cref="ScoringTransformer"/>.
/// </summary>
public sealed class MixtureClusterTransformer : ScoringTransformer
{
    internal MixtureClusterTransformer(AutoencoderModel model, MixtureClusterColumns columns, string clusterColumnName, int scoringBatchSize)
        : base(Describe(model, columns, clusterColumnName), scoringBatchSize, scoringThreads: null)
    {
        Model = model;
    }

    /// <summary>The model whose encoder the transform runs.</summary>
    public AutoencoderModel Model { get; }

    internal static ScoringGraph Describe(AutoencoderModel model, MixtureClusterColumns columns, string clusterColumnName)
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
        outputs.Add(new ScoredColumn(clusterColumnName, MixtureOnnx.Cluster, 1, IsScalar: true));
        var names = outputs.Select(o => o.OnnxOutput).ToArray();
        return new ScoringGraph(
            columns.InputColumnName, "input", OnnxNames.Features, model.InputSize, "the model's input size", outputs,
            (rename, perRow) => OnnxScoringGraph.Build(model, names, rename, perRow));
    }
}

/// <summary>Estimator of <see cref="MixtureClusterTransformer"/> (nothing to fit: the model is trained).</summary>
public sealed class MixtureClusterEstimator : ScoringEstimator<MixtureClusterTransformer>
{
    private readonly AutoencoderModel model;
    private readonly MixtureClusterColumns columns;
    private readonly string clusterColumnName;

    internal MixtureClusterEstimator(AutoencoderModel model, MixtureClusterColumns columns, string clusterColumnName, int scoringBatchSize)
        : base(MixtureClusterTransformer.Describe(model, columns, clusterColumnName), scoringBatchSize)
    {
        this.model = model;
        this.columns = columns;
        this.clusterColumnName = clusterColumnName;
    }

    private protected override MixtureClusterTransformer CreateTransformer() => new(model, columns, clusterColumnName, ScoringBatchSize);
}

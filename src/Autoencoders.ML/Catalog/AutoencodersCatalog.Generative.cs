using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>Generative entry points on <c>mlContext.Transforms</c> and <c>mlContext.Data</c>: decoding, prior sampling, and clustering and per-component generation with a Gaussian-mixture VAE.</summary>
public static partial class AutoencodersCatalog
{
    /// <summary>Default name of a latent column.</summary>
    public const string DefaultLatent = AutoencoderColumns.DefaultLatent;

    /// <summary>Default name of a generated (decoded) column.</summary>
    public const string DefaultGenerated = "Generated";

    /// <summary>
    /// Decodes a latent column into data with the decoder of <paramref name="model"/> (any kind; for a VAE, the
    /// generative model p(x|z)). The latent column must be a known-size <c>Vector&lt;Single&gt;</c> of the model's latent
    /// size; the output is a <c>Vector&lt;Single&gt;</c> of its output size, output activation applied.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="model">A trained model; the transform does not dispose it.</param>
    /// <param name="outputColumnName">Column for the generated data.</param>
    /// <param name="inputColumnName">The latent column; null means <c>Latent</c>. Pass the output's name to decode in place.</param>
    /// <param name="scoringBatchSize">Rows per ONNX Runtime call.</param>
    public static IEstimator<LatentDecoderTransformer> DecodeLatent(
        this TransformsCatalog catalog,
        AutoencoderModel model,
        string outputColumnName = DefaultGenerated,
        string? inputColumnName = DefaultLatent,
        int scoringBatchSize = ScoringTransformer.DefaultScoringBatchSize)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        string input = inputColumnName ?? DefaultLatent;
        return new ScoringEstimator<LatentDecoderTransformer>(
            LatentDecoderTransformer.Describe(model, outputColumnName, input), scoringBatchSize,
            () => new LatentDecoderTransformer(model, outputColumnName, input, scoringBatchSize, scoringThreads: null));
    }

    /// <summary>
    /// <paramref name="count"/> samples from a variational model's prior as an <see cref="IDataView"/>: the draws
    /// z ~ N(0, I) in <paramref name="latentColumnName"/> and, unless <paramref name="outputColumnName"/> is null, the
    /// decoded data. Lazy (drawn a block at a time when read) and reproducible: every cursor, and
    /// <see cref="AutoencoderModel.SamplePrior"/> with the same seed, gives the same rows.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="model">A variational model; it must outlive the view.</param>
    /// <param name="count">Rows to generate, ≥ 1.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="latentColumnName">Column for z.</param>
    /// <param name="outputColumnName">Column for the decoded data, or null for the draws only (decode them later with <see cref="DecodeLatent"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    /// <exception cref="NotSupportedException">The model is not variational.</exception>
    public static IDataView SampleFromPrior(
        this DataOperationsCatalog catalog,
        AutoencoderModel model,
        int count,
        int seed = 0,
        string latentColumnName = DefaultLatent,
        string? outputColumnName = DefaultGenerated) =>
        PriorSamples.Create(catalog, model, count, seed, latentColumnName, outputColumnName);

    /// <summary>
    /// Clusters rows with a trained Gaussian-mixture VAE, like ML.NET's clustering trainers: adds the latent mean
    /// (<c>Latent</c>), q(y|x) (<c>ClusterProbabilities</c>, K values), <c>Score</c> (−log q(y|x), K values, smallest for
    /// the chosen component) and <c>PredictedLabel</c> (a key of K values; key k + 1 is component k), so
    /// <c>mlContext.Clustering.Evaluate(scored, labelColumnName: "Label")</c> gives the NMI against a label column. The
    /// transform (<see cref="MixtureClusterTransformer"/>) saves with <c>mlContext.Model.Save</c> and comes back from
    /// <c>mlContext.Model.LoadAutoencoderPipeline</c> as itself.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="model">A Gaussian-mixture VAE; the transform does not dispose it.</param>
    /// <param name="columns">Column names; null for the defaults.</param>
    /// <param name="scoringBatchSize">Rows per ONNX Runtime call.</param>
    /// <exception cref="NotSupportedException">The model is not a Gaussian-mixture VAE.</exception>
    public static IEstimator<MixtureClusterTransformer> ClusterWithMixture(
        this TransformsCatalog catalog, AutoencoderModel model, MixtureClusterColumns? columns = null, int scoringBatchSize = ScoringTransformer.DefaultScoringBatchSize)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        columns ??= new MixtureClusterColumns();
        var graph = MixtureClusterTransformer.Describe(model, columns);
        return new ScoringEstimator<MixtureClusterTransformer>(
            graph, scoringBatchSize, () => new MixtureClusterTransformer(model, columns, scoringBatchSize, ownsModel: false),
            shape => MixtureClusterTransformer.OutputShape(graph, model.Clusters, columns, shape));
    }

    /// <summary>
    /// <paramref name="count"/> rows generated by a Gaussian-mixture VAE from component <paramref name="component"/> of
    /// its prior (z ~ N(μ_k, σ_k²)), or from the whole mixture when it is null: the draws in <paramref name="latentColumnName"/>
    /// and the decoded data in <paramref name="outputColumnName"/> (same seed, same rows as
    /// <see cref="AutoencoderModel.SampleMixture"/>). Decode further draws with <see cref="AutoencodersCatalog.DecodeLatent"/>.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="model">A Gaussian-mixture VAE.</param>
    /// <param name="count">Rows to generate, ≥ 1.</param>
    /// <param name="component">A component in [0, K), or null for the whole mixture.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="latentColumnName">Column for z.</param>
    /// <param name="outputColumnName">Column for the decoded data.</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is not positive or the component is outside [0, K).</exception>
    /// <exception cref="NotSupportedException">The model is not a Gaussian-mixture VAE.</exception>
    public static IDataView SampleFromMixture(
        this DataOperationsCatalog catalog,
        AutoencoderModel model,
        int count,
        int? component = null,
        int seed = 0,
        string latentColumnName = AutoencodersCatalog.DefaultLatent,
        string outputColumnName = AutoencodersCatalog.DefaultGenerated)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        OptionChecks.DistinctColumns((latentColumnName, nameof(latentColumnName)), (outputColumnName, nameof(outputColumnName)));

        var latents = model.SampleMixtureLatent(count, seed, component);
        var decoded = model.Decode(latents);
        var schema = SchemaDefinition.Create(typeof(SampleRow));
        var latent = schema[nameof(SampleRow.Latent)];
        latent.ColumnType = new VectorDataViewType(NumberDataViewType.Single, model.LatentSize);
        latent.ColumnName = latentColumnName;
        var generated = schema[nameof(SampleRow.Generated)];
        generated.ColumnType = new VectorDataViewType(NumberDataViewType.Single, model.Spec.OutputSize);
        generated.ColumnName = outputColumnName;
        return catalog.LoadFromEnumerable(latents.Select((z, i) => new SampleRow { Latent = z, Generated = decoded[i] }).ToArray(), schema);
    }

    /// <summary>
    /// Clustering accuracy: the share of rows whose cluster, under the best one-to-one matching of clusters to classes
    /// (the Hungarian algorithm), is their class — the usual measure of unsupervised clustering on labelled data (VaDE,
    /// DEC), beside the NMI of <c>mlContext.Clustering.Evaluate</c>.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Clustering</c>.</param>
    /// <param name="clusters">Cluster of each row, ≥ 0 (e.g. <c>PredictedLabel</c> − 1).</param>
    /// <param name="labels">Class of each row, ≥ 0, as many as <paramref name="clusters"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, are 0, or a value is negative.</exception>
    public static double MatchedAccuracy(this ClusteringCatalog catalog, IReadOnlyList<int> clusters, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Autoencoders.ML.Clustering.ClusterMatching.Accuracy(clusters, labels);
    }

    /// <summary>The best one-to-one matching of clusters to classes: cluster → class (clusters beyond the classes stay unmatched).</summary>
    /// <param name="catalog"><c>mlContext.Clustering</c>.</param>
    /// <param name="clusters">Cluster of each row, ≥ 0.</param>
    /// <param name="labels">Class of each row, ≥ 0, as many as <paramref name="clusters"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, are 0, or a value is negative.</exception>
    public static IReadOnlyDictionary<int, int> MatchClusters(this ClusteringCatalog catalog, IReadOnlyList<int> clusters, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Autoencoders.ML.Clustering.ClusterMatching.Match(clusters, labels);
    }

    private sealed class SampleRow
    {
        public float[] Latent { get; set; } = Array.Empty<float>();

        public float[] Generated { get; set; } = Array.Empty<float>();
    }
}

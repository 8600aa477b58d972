namespace Autoencoders.ML.Transforms;

/// <summary>The columns of the mixture VAE's clustering transform (<see cref="Microsoft.ML.AutoencodersCatalog.ClusterWithMixture"/>).</summary>
public sealed class MixtureClusterColumns
{
    /// <summary>The input column: a known-size vector of Single of the model's input size. Default <c>Features</c>.</summary>
    public string InputColumnName { get; set; } = AutoencoderColumns.DefaultInput;

    /// <summary>The latent mean μ (Vector&lt;Single&gt; of the latent size), or null for none. Default <c>Latent</c>.</summary>
    public string? LatentColumnName { get; set; } = AutoencoderColumns.DefaultLatent;

    /// <summary>q(y|x): K probabilities (Vector&lt;Single&gt;). Default <c>ClusterProbabilities</c>.</summary>
    public string ProbabilitiesColumnName { get; set; } = "ClusterProbabilities";

    /// <summary>
    /// −log q(y|x) per component (Vector&lt;Single&gt;, smallest for the most likely component): the distance-like
    /// score ML.NET's clustering evaluator reads. Default <c>Score</c>, as ML.NET's clustering trainers name it.
    /// </summary>
    public string ScoreColumnName { get; set; } = DefaultColumnNames.Score;

    /// <summary>The most likely component as a key of K values (key k + 1 is component k, as for ML.NET's KMeans). Default <c>PredictedLabel</c>.</summary>
    public string PredictedLabelColumnName { get; set; } = DefaultColumnNames.PredictedLabel;

    /// <summary>Checks that every name is set and that they differ.</summary>
    /// <exception cref="ArgumentException">A name is empty, or two are equal.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(InputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(ProbabilitiesColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(ScoreColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(PredictedLabelColumnName);
        if (LatentColumnName != null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(LatentColumnName);
        }

        OptionChecks.DistinctColumns(
            (LatentColumnName, nameof(LatentColumnName)),
            (ProbabilitiesColumnName, nameof(ProbabilitiesColumnName)),
            (ScoreColumnName, nameof(ScoreColumnName)),
            (PredictedLabelColumnName, nameof(PredictedLabelColumnName)));
    }
}

using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Runtime;

namespace Autoencoders.ML.Models;

// The clustering side of a model: cluster posteriors, the mixture prior and sampling per component. Needs a
// Gaussian-mixture VAE (trained with MixtureAutoencoderOptions).
public sealed partial class AutoencoderModel
{
    /// <summary>True for a Gaussian-mixture VAE (trained with <see cref="MixtureAutoencoderOptions"/>).</summary>
    public bool IsMixture => ModelKind == ModelKind.GaussianMixture;

    /// <summary>K, the number of mixture components.</summary>
    /// <exception cref="NotSupportedException">The model is not a Gaussian-mixture VAE.</exception>
    public int Clusters => Mixture().Clusters;

    /// <summary>The learned prior: the components' means, log-variances and weights.</summary>
    /// <exception cref="NotSupportedException">The model is not a Gaussian-mixture VAE.</exception>
    public MixturePrior Prior
    {
        get
        {
            var network = Mixture();
            lock (gate)
            {
                using var scope = torch.NewDisposeScope();
                var (mean, logVariance, logWeights) = network.Prior();
                return new MixturePrior(Split(mean), Split(logVariance), logWeights.exp().detach().data<float>().ToArray());
            }
        }
    }

    /// <summary>q(y|x) of each row: K probabilities summing to 1 (the same values as the encoder graph's <c>cluster_probabilities</c>).</summary>
    /// <param name="rows">Rows of <see cref="InputSize"/> values.</param>
    /// <exception cref="NotSupportedException">The model is not a Gaussian-mixture VAE.</exception>
    /// <exception cref="ArgumentException">A row has another length or holds NaN or ±∞ (the row and index are named).</exception>
    public float[][] ClusterProbabilities(IReadOnlyList<float[]> rows)
    {
        var network = Mixture();
        return Run(rows, x =>
        {
            var (mean, logVariance) = network.Posterior(x);
            return network.LogClusterPosterior(mean, logVariance).exp();
        });
    }

    /// <summary>The most likely component argmax_k q(k|x) of each row, 0-based.</summary>
    /// <param name="rows">Rows of <see cref="InputSize"/> values.</param>
    /// <exception cref="NotSupportedException">The model is not a Gaussian-mixture VAE.</exception>
    /// <exception cref="ArgumentException">A row has another length or holds NaN or ±∞ (the row and index are named).</exception>
    public int[] PredictCluster(IReadOnlyList<float[]> rows) =>
        ClusterProbabilities(rows).Select(p => Array.IndexOf(p, p.Max())).ToArray();

    /// <summary>
    /// Draws <paramref name="count"/> latent codes from the mixture prior: from component <paramref name="component"/>
    /// (z ~ N(μ_k, σ_k²)), or, when it is null, from the whole mixture (k ~ π, then z). Same seed, same draws.
    /// </summary>
    /// <param name="count">Codes to draw, ≥ 1.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="component">A component in [0, K), or null for the whole mixture.</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is not positive or the component is outside [0, K).</exception>
    /// <exception cref="NotSupportedException">The model is not a Gaussian-mixture VAE.</exception>
    public float[][] SampleMixtureLatent(int count, int seed, int? component = null)
    {
        var network = Mixture();
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The number of samples must be positive; got {count}.");
        }

        if (component is int k && (k < 0 || k >= network.Clusters))
        {
            throw new ArgumentOutOfRangeException(nameof(component), k, $"The component must be in [0, {network.Clusters}) (the model has K = {network.Clusters}); got {k}.");
        }

        TorchRuntime.EnsureInitialized();
        lock (gate)
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            using var generator = new torch.Generator((ulong)(uint)seed);
            var (mean, logVariance, logWeights) = network.Prior();
            var components = component is int fixedComponent
                ? KeptScalars.With(fixedComponent, value => torch.full(count, value, ScalarType.Int64))
                : torch.multinomial(logWeights.exp(), count, replacement: true, generator: generator);
            var epsilon = torch.randn(new long[] { count, LatentSize }, generator: generator);
            var z = mean.index_select(0, components).Plus(logVariance.index_select(0, components).Times(0.5).exp() * epsilon);
            return Split(z);
        }
    }

    /// <summary>
    /// Generates <paramref name="count"/> rows from component <paramref name="component"/> of the prior, or from the whole
    /// mixture when it is null: <see cref="SampleMixtureLatent"/> decoded (output activation applied).
    /// </summary>
    /// <param name="count">Rows to generate, ≥ 1.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="component">A component in [0, K), or null for the whole mixture.</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is not positive or the component is outside [0, K).</exception>
    /// <exception cref="NotSupportedException">The model is not a Gaussian-mixture VAE.</exception>
    public float[][] SampleMixture(int count, int seed, int? component = null) => Decode(SampleMixtureLatent(count, seed, component));

    private static float[][] Split(Tensor values)
    {
        return RowArrays.Split(values.detach().contiguous().data<float>().ToArray(), (int)values.shape[0], (int)values.shape[1]);
    }

    private MixtureAutoencoderNetwork Mixture() =>
        Network as MixtureAutoencoderNetwork
        ?? throw new NotSupportedException(
            $"This is a {Kind} autoencoder; clusters and mixture sampling need a Gaussian-mixture VAE. Train it with MixtureAutoencoderOptions.");
}

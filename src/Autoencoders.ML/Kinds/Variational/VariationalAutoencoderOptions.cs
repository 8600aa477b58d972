
namespace Autoencoders.ML.Kinds.Variational;

/// <summary>
/// Hyperparameters of a variational autoencoder (VAE) on the dense layer spec: the encoder's hidden layers are a shared
/// trunk that feeds two heads, the mean μ (the spec's last encoder layer) and the log-variance log σ² (a parallel
/// layer of the same shape); the decoder reads z = μ + σ·ε with ε ~ N(0, I) while training.
/// </summary>
/// <remarks>
/// <para>The loss per row is <c>reconstruction + β·w·KL(N(μ, σ²) ‖ N(0, I))</c>, averaged over the batch. The
/// reconstruction is summed over the row's values: binary cross-entropy (−log of a Bernoulli likelihood) or the squared
/// error. The KL term is computed in closed form. <c>w</c> is the KL warm-up weight (see <see cref="GaussianLatentOptions.KlWarmupFraction"/>).</para>
/// <para>The lecture's form <c>C·reconstruction + KL</c> is the same objective divided by β: <c>C = 1/β</c>. β = 1 gives the
/// negative ELBO; β &gt; 1 favours a regular latent space, β &lt; 1 favours reconstruction, and β = 0 leaves a plain
/// autoencoder with noise on its code.</para>
/// <para>With <see cref="ReconstructionLoss.MeanSquaredError"/> the decoder is read as a Gaussian N(x̂, ½·I) per value:
/// −log p(x|z) = ‖x − x̂‖² + (D/2)·ln π, the variance under which the β = 1 loss is the negative ELBO up to that constant
/// (equivalently, β = 2σ² for a Gaussian decoder of variance σ²). Likelihoods reported by
/// <see cref="Models.AutoencoderModel.EstimateLikelihood"/> include the constant.</para>
/// </remarks>
public sealed class VariationalAutoencoderOptions : GaussianLatentOptions
{
    private int importanceSamples = 1;

    /// <summary>Creates the options with their defaults.</summary>
    public VariationalAutoencoderOptions()
        : base("A variational autoencoder")
    {
    }

    /// <summary>
    /// The training objective's number of samples k per row. 1 (default): the ELBO with its KL term in closed form.
    /// k &gt; 1: the importance-weighted bound of Burda et al. (IWAE), −log (1/k)·Σᵢ p(x|zᵢ)·p(zᵢ)/q(zᵢ|x) with k draws
    /// zᵢ ~ q(z|x), a tighter bound on −log p(x) that trains a better likelihood; a step costs about k decoder passes
    /// per row. β and the KL warm-up weight multiply log p(zᵢ) − log q(zᵢ|x) inside each weight. In [1, 10,000].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [1, 10,000].</exception>
    public int ImportanceSamples
    {
        get => importanceSamples;
        set => importanceSamples = value >= 1 && value <= 10_000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ImportanceSamples), value, $"ImportanceSamples (k of the training objective) must be in [1, 10,000]; got {value}. Use 1 for the ELBO, 5 to 50 for IWAE.");
    }
}

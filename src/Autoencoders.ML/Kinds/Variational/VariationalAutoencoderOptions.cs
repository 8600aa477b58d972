
namespace Autoencoders.ML.Kinds.Variational;

/// <summary>
/// Hyperparameters of a variational autoencoder (VAE) on the dense layer spec: the encoder's hidden layers are a shared
/// trunk that feeds two heads, the mean μ (the spec's last encoder layer) and the log-variance log σ² (a parallel
/// layer of the same shape); the decoder reads z = μ + σ·ε with ε ~ N(0, I) while training.
/// </summary>
/// <remarks>
/// <para>The loss per row is <c>reconstruction + β·w·KL(N(μ, σ²) ‖ N(0, I))</c>, averaged over the batch. The
/// reconstruction is summed over the row's values: binary cross-entropy (−log of a Bernoulli likelihood) or the squared
/// error. The KL term is computed in closed form. <c>w</c> is the KL warm-up weight (see <see cref="KlWarmupFraction"/>).</para>
/// <para>The lecture's form <c>C·reconstruction + KL</c> is the same objective divided by β: <c>C = 1/β</c>. β = 1 gives the
/// negative ELBO; β &gt; 1 favours a regular latent space, β &lt; 1 favours reconstruction, and β = 0 leaves a plain
/// autoencoder with noise on its code.</para>
/// <para>With <see cref="ReconstructionLoss.MeanSquaredError"/> the decoder is read as a Gaussian N(x̂, ½·I) per value:
/// −log p(x|z) = ‖x − x̂‖² + (D/2)·ln π, the variance under which the β = 1 loss is the negative ELBO up to that constant
/// (equivalently, β = 2σ² for a Gaussian decoder of variance σ²). Likelihoods reported by
/// <see cref="Models.AutoencoderModel.EstimateLikelihood"/> include the constant.</para>
/// </remarks>
public sealed class VariationalAutoencoderOptions : AutoencoderOptions
{
    private double beta = 1;
    private double klWarmupFraction;
    private double logVarianceClamp = 10;
    private int importanceSamples = 1;

    /// <summary>
    /// Weight β of the KL term, ≥ 0. Default 1 (the ELBO). The lecture's weight C on the reconstruction is 1/β.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double Beta
    {
        get => beta;
        set => beta = value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Beta), value, $"Beta (the weight of the KL term) must be a finite number ≥ 0; got {value}. Use 1 for the ELBO.");
    }

    /// <summary>
    /// KL warm-up: the KL weight grows linearly from 0 to β over this fraction of the training run (counted in batches),
    /// which keeps the KL term from switching latent dimensions off before the decoder has learnt to use them. In
    /// [0, 1]; default 0 (no warm-up). Validation losses always use the full weight.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1].</exception>
    public double KlWarmupFraction
    {
        get => klWarmupFraction;
        set => klWarmupFraction = value >= 0 && value <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(KlWarmupFraction), value, $"KlWarmupFraction must be in [0, 1]; got {value}.");
    }

    /// <summary>
    /// The log-variance head's output is clamped to [−c, c] (in training, in every API and in the ONNX graphs), so that
    /// exp(log σ²) can neither overflow nor make the KL term's log blow up early in training. Default 10 (σ between
    /// 0.0067 and 148); must be positive.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a positive finite number.</exception>
    public double LogVarianceClamp
    {
        get => logVarianceClamp;
        set => logVarianceClamp = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LogVarianceClamp), value, $"LogVarianceClamp must be a positive finite number; got {value}.");
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

    /// <summary>The KL weight at <paramref name="fraction"/> of training: β·min(1, fraction / <see cref="KlWarmupFraction"/>).</summary>
    /// <param name="fraction">Fraction of the training run done, in [0, 1].</param>
    public double KlWeight(double fraction) =>
        KlWarmupFraction > 0 ? Beta * Math.Clamp(fraction / KlWarmupFraction, 0, 1) : Beta;

    /// <summary>Checks the shared rules, and that the data is not scaled: a VAE's likelihoods are defined on the data as given.</summary>
    /// <param name="training">The training options the model will be trained with.</param>
    internal override void CheckTraining(TrainingOptions training)
    {
        base.CheckTraining(training);
        if (training.Scaling != ScalingKind.None)
        {
            throw new ArgumentException(
                "A variational autoencoder's likelihoods are defined on the data as given; scale the data yourself and use ScalingKind.None.",
                nameof(training));
        }

        if (training.IsAutomatic && KlWarmupFraction > 0)
        {
            throw new ArgumentException(
                "KlWarmupFraction is a fraction of the training run, but Epochs is null (the automatic budget, whose length is not known in advance). " +
                "Set Epochs, or KlWarmupFraction = 0.",
                nameof(TrainingOptions.Epochs));
        }
    }

    /// <summary>Checks the dense options and that the mean head is linear.</summary>
    public override void Validate()
    {
        base.Validate();
        if (LatentActivation != Activation.None)
        {
            throw new ArgumentException(
                $"A variational autoencoder's mean head must be linear (μ ranges over all reals); LatentActivation is {LatentActivation}. Leave it at Activation.None.",
                nameof(LatentActivation));
        }
    }
}

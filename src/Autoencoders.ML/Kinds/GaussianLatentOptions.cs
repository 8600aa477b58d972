
namespace Autoencoders.ML.Kinds;

/// <summary>
/// The options every kind with a Gaussian posterior q(z|x) = N(μ, diag σ²) shares (the VAE and the Gaussian-mixture VAE):
/// the KL weight β, its warm-up, the log-variance clamp, and the rules that follow from a likelihood (no input scaling,
/// a linear mean head, no warm-up under the automatic budget). Written once here; each kind adds its own options.
/// </summary>
public abstract class GaussianLatentOptions : AutoencoderOptions
{
    private readonly string modelName;
    private double beta = 1;
    private double klWarmupFraction;
    private double logVarianceClamp = 10;

    /// <summary>Creates the shared options; <paramref name="modelName"/> names the kind in error messages.</summary>
    private protected GaussianLatentOptions(string modelName) => this.modelName = modelName;

    /// <summary>
    /// Weight β of the KL term(s), ≥ 0. Default 1 (the ELBO). The lecture's weight C on the reconstruction is 1/β.
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
    /// The log-variance head's output (and a mixture's component log-variances) is clamped to [−c, c] (in training, in
    /// every API and in the ONNX graphs), so that exp(log σ²) can neither overflow nor make the KL term's log blow up
    /// early in training. Default 10 (σ between 0.0067 and 148); must be positive.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a positive finite number.</exception>
    public double LogVarianceClamp
    {
        get => logVarianceClamp;
        set => logVarianceClamp = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LogVarianceClamp), value, $"LogVarianceClamp must be a positive finite number; got {value}.");
    }

    /// <summary>The KL weight at <paramref name="fraction"/> of training: β·min(1, fraction / <see cref="KlWarmupFraction"/>).</summary>
    /// <param name="fraction">Fraction of the training run done, in [0, 1].</param>
    public double KlWeight(double fraction) =>
        KlWarmupFraction > 0 ? Beta * Math.Clamp(fraction / KlWarmupFraction, 0, 1) : Beta;

    /// <summary>Checks the shared rules, and that the data is not scaled: the model's likelihoods are defined on the data as given.</summary>
    /// <param name="training">The training options the model will be trained with.</param>
    internal override void CheckTraining(TrainingOptions training)
    {
        base.CheckTraining(training);
        if (training.Scaling != ScalingKind.None)
        {
            throw new ArgumentException(
                $"{modelName}'s likelihoods are defined on the data as given; scale the data yourself and use ScalingKind.None.",
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
                $"{modelName}'s mean head must be linear (μ ranges over all reals); LatentActivation is {LatentActivation}. Leave it at Activation.None.",
                nameof(LatentActivation));
        }
    }
}

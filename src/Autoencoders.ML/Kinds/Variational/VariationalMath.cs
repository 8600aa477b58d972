
namespace Autoencoders.ML.Kinds.Variational;

/// <summary>
/// The probability of a VAE, per row: the closed-form KL term, the decoder's log-likelihood and the Gaussian densities
/// used by the importance-weighted bound. Every result is in nats.
/// </summary>
internal static class VariationalMath
{
    private static readonly double LogTwoPi = Math.Log(2 * Math.PI);

    /// <summary>KL(N(μ, diag σ²) ‖ N(0, I)) = ½·Σ(σ² + μ² − 1 − log σ²), one value per row (N).</summary>
    public static Tensor KlToStandardNormal(Tensor mean, Tensor logVariance) =>
        (logVariance.exp().Plus(mean.Squared()).Minus(1) - logVariance).sum(1).Times(0.5);

    /// <summary>z = μ + σ·ε with ε ~ N(0, I): differentiable in μ and log σ² (the reparameterization trick).</summary>
    /// <param name="mean">μ, (N, L).</param>
    /// <param name="logVariance">log σ², (N, L).</param>
    /// <param name="epsilon">ε, (N, L).</param>
    public static Tensor Reparameterize(Tensor mean, Tensor logVariance, Tensor epsilon) =>
        mean.Plus(logVariance.Times(0.5).exp() * epsilon);

    /// <summary>
    /// −log p(x|z) without constants, summed over each row's values (N): binary cross-entropy on the logits, or the
    /// squared error of the output (after the output activation).
    /// </summary>
    public static Tensor ReconstructionPerRow(Tensor logits, Tensor target, ReconstructionLoss loss, OutputActivation output) => loss switch
    {
        // Computed from logits inside libtorch: stable for any logit.
        ReconstructionLoss.BinaryCrossEntropy => nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None).sum(1),
        ReconstructionLoss.MeanSquaredError => ((output == OutputActivation.Sigmoid ? torch.sigmoid(logits) : logits) - target).Squared().sum(1),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown reconstruction loss."),
    };

    /// <summary>
    /// The constant that turns <see cref="ReconstructionPerRow"/> into −log p(x|z): 0 for the Bernoulli decoder, and
    /// (D/2)·ln π for the squared error read as a Gaussian of variance ½ per value.
    /// </summary>
    public static double ReconstructionConstant(ReconstructionLoss loss, int width) =>
        loss == ReconstructionLoss.MeanSquaredError ? 0.5 * width * Math.Log(Math.PI) : 0;

    /// <summary>log N(z; 0, I), one value per row of the last dimension.</summary>
    public static Tensor LogStandardNormal(Tensor z) => z.Squared().Plus(LogTwoPi).sum(-1).Times(-0.5);

    /// <summary>log N(z; μ, σ²) for z = μ + σ·ε, written in ε so that no division by σ is needed.</summary>
    public static Tensor LogPosterior(Tensor epsilon, Tensor logVariance) =>
        epsilon.Squared().Plus(logVariance).Plus(LogTwoPi).sum(-1).Times(-0.5);
}

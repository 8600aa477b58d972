namespace Autoencoders.ML.Models;

public sealed partial class AutoencoderModel
{
    /// <summary>
    /// How probable a variational autoencoder finds a data set, in nats per row (natural logarithms, averaged over rows).
    /// </summary>
    /// <param name="Elbo">
    /// The evidence lower bound E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)), a lower bound on log p(x) (so usually negative); the
    /// expectation is averaged over the same <paramref name="ImportanceSamples"/> draws, the KL term is exact.
    /// </param>
    /// <param name="NegativeLogLikelihood">
    /// The importance-weighted estimate of −log p(x) (the IWAE bound): −log (1/k)·Σₖ p(x|zₖ)·p(zₖ)/q(zₖ|x) with
    /// zₖ ~ q(z|x). It is an upper bound on the true negative log-likelihood in expectation and tightens as k grows; it is
    /// never above −<paramref name="Elbo"/> by more than sampling noise.
    /// </param>
    /// <param name="Reconstruction">−E_q[log p(x|z)], the expected reconstruction cost in nats.</param>
    /// <param name="Kl">KL(q(z|x) ‖ N(0, I)) in closed form.</param>
    /// <param name="ImportanceSamples">k, the number of draws of z per row.</param>
    /// <param name="Rows">Rows evaluated.</param>
    public sealed record LikelihoodEstimate(double Elbo, double NegativeLogLikelihood, double Reconstruction, double Kl, int ImportanceSamples, long Rows);
}

namespace Autoencoders.ML.Kinds.Mixture;

/// <summary>
/// Expectation–maximisation of a Gaussian mixture with diagonal covariances on a set of codes (N, L), started from a
/// k-means: the initialisation VaDE uses (a diagonal Gaussian mixture fitted to the pretrained codes) instead of the
/// k-means' hard clusters and their spreads. Plain tensor arithmetic, deterministic (no sampling).
/// </summary>
internal static class GaussianMixtureFit
{
    /// <summary>
    /// Runs <paramref name="iterations"/> EM steps from the given components and returns the refined ones. With
    /// <paramref name="learnWeights"/> false the weights stay uniform (as the model keeps them). Variances are floored at
    /// <paramref name="minimumVariance"/> so that a component cannot shrink onto one point.
    /// </summary>
    /// <param name="codes">The points, (N, L).</param>
    /// <param name="means">Initial means, (K, L).</param>
    /// <param name="logVariances">Initial log-variances, (K, L).</param>
    /// <param name="weights">Initial weights (probabilities), (K).</param>
    /// <param name="iterations">EM steps, ≥ 0.</param>
    /// <param name="learnWeights">Whether the M-step updates the weights.</param>
    /// <param name="minimumVariance">Floor of each variance.</param>
    public static (Tensor Means, Tensor LogVariances, Tensor Weights) Refine(
        Tensor codes, Tensor means, Tensor logVariances, Tensor weights, int iterations, bool learnWeights, float minimumVariance)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        long k = means.shape[0];
        var mu = means.clone();
        var logVar = logVariances.clone();
        var logPi = learnWeights ? weights.ClampMin(1e-6).log() : KeptScalars.With(-Math.Log(k), value => torch.full(new[] { k }, value, dtype: codes.dtype));
        for (int step = 0; step < iterations; step++)
        {
            // E-step: responsibilities r (N, K) ∝ π_k·N(x | μ_k, diag σ_k²).
            var responsibilities = logPi.unsqueeze(0).Plus(LogDensity(codes, mu, logVar)).softmax(1);
            // M-step: weighted means and variances; a component with no mass keeps its parameters.
            var mass = responsibilities.sum(0L); // 0L: a literal 0 would bind to the ScalarType overload
            var safe = mass.ClampMin(1e-6).unsqueeze(1);
            var newMu = responsibilities.t().matmul(codes) / safe;
            var secondMoment = responsibilities.t().matmul(codes.Squared()) / safe;
            var newVar = (secondMoment - newMu.Squared()).ClampMin(minimumVariance);
            var populated = KeptScalars.With(1e-3, floor => mass.gt(floor)).unsqueeze(1);
            mu = torch.where(populated, newMu, mu);
            logVar = torch.where(populated, newVar.log(), logVar);
            if (learnWeights)
            {
                logPi = mass.Over(codes.shape[0]).ClampMin(1e-6).log();
            }
        }

        return (mu.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope(), logPi.exp().MoveToOuterDisposeScope());
    }

    /// <summary>Mean log-likelihood per row of <paramref name="codes"/> under the mixture (nats): the criterion that picks among restarts.</summary>
    public static double MeanLogLikelihood(Tensor codes, Tensor means, Tensor logVariances, Tensor weights)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        return weights.ClampMin(1e-6).log().unsqueeze(0).Plus(LogDensity(codes, means, logVariances)).logsumexp(1).mean().ToDouble();
    }

    /// <summary>log N(x | μ_k, diag σ_k²) of every row and component, (N, K).</summary>
    public static Tensor LogDensity(Tensor codes, Tensor means, Tensor logVariances)
    {
        var difference = codes.unsqueeze(1) - means.unsqueeze(0);
        var terms = logVariances.unsqueeze(0).Plus(difference.Squared() * (-logVariances).exp().unsqueeze(0)).Plus(Math.Log(2 * Math.PI));
        return terms.sum(-1).Times(-0.5);
    }
}

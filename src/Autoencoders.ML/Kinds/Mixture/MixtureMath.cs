
namespace Autoencoders.ML.Kinds.Mixture;

/// <summary>The closed-form terms of the Gaussian-mixture prior, per row and component. Every result is in nats.</summary>
internal static class MixtureMath
{
    /// <summary>
    /// KL(N(μ, diag σ²) ‖ N(μ_k, diag σ_k²)) = ½·Σ_j (log σ_kj² − log σ_j² + (σ_j² + (μ_j − μ_kj)²)/σ_kj² − 1), as (N, K).
    /// </summary>
    /// <param name="mean">μ, (N, L).</param>
    /// <param name="logVariance">log σ², (N, L).</param>
    /// <param name="priorMean">μ_k, (K, L).</param>
    /// <param name="priorLogVariance">log σ_k², (K, L).</param>
    public static Tensor KlPerComponent(Tensor mean, Tensor logVariance, Tensor priorMean, Tensor priorLogVariance)
    {
        var m = mean.unsqueeze(1);
        var lv = logVariance.unsqueeze(1);
        var pm = priorMean.unsqueeze(0);
        var plv = priorLogVariance.unsqueeze(0);
        return (plv - lv).Plus(lv.exp().Plus((m - pm).Squared()) * (-plv).exp()).Minus(1).sum(-1).Times(0.5);
    }

    /// <summary>
    /// log q(y|x), (N, K): the ELBO-optimal cluster posterior given q(z|x), log softmax_k(log π_k − KL_k), where
    /// <paramref name="klPerComponent"/> is <see cref="KlPerComponent"/> and <paramref name="logWeights"/> is log π (K).
    /// </summary>
    public static Tensor LogClusterPosterior(Tensor klPerComponent, Tensor logWeights) =>
        (logWeights.unsqueeze(0) - klPerComponent).log_softmax(1);

    /// <summary>
    /// I(y; y′) in nats from the cluster posteriors of the same rows under two views, (N, K) each: the joint
    /// P = sym(γᵀγ′)/N, then Σ P·(log P − log P_y − log P_y′) (IIC, Ji et al. 2019). Maximal (log K) when every row is
    /// sure of its cluster under both views and the clusters are used equally.
    /// </summary>
    public static Tensor MutualInformation(Tensor gamma, Tensor gammaOther) => Consistency(gamma, gammaOther).Information;

    /// <summary>
    /// <see cref="MutualInformation"/> and, from the same joint, the sum of its two marginal entropies H(y) + H(y′)
    /// (at most 2·log K, when the clusters are used equally): IIC's I = H(y) + H(y′) − H(y, y′).
    /// </summary>
    public static (Tensor Information, Tensor MarginalEntropy) Consistency(Tensor gamma, Tensor gammaOther)
    {
        var joint = gamma.t().matmul(gammaOther).Over(gamma.shape[0]);
        joint = joint.Plus(joint.t()).Over(2).ClampMin(1e-8);
        joint = joint / joint.sum();
        var rows = joint.sum(1, keepdim: true);
        var columns = joint.sum(0, keepdim: true);
        var information = (joint * (joint.log() - rows.log() - columns.log())).sum();
        var marginalEntropy = -(rows * rows.log()).sum().Plus((columns * columns.log()).sum());
        return (information, marginalEntropy);
    }
}

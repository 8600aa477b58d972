using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Kinds.Mixture;

/// <summary>The mixture VAE's encoder outputs beyond the VAE's, and the ONNX nodes that compute them.</summary>
internal static class MixtureOnnx
{
    /// <summary>Encoder output: q(y|x), shape [batch, K]; each row sums to 1.</summary>
    public const string ClusterProbabilities = "cluster_probabilities";

    /// <summary>Encoder output: the most likely component argmax_k q(k|x), as a float, shape [batch].</summary>
    public const string Cluster = "cluster";

    /// <summary>Encoder output: −log q(y|x), shape [batch, K] (a distance-like score: smallest for the most likely component).</summary>
    public const string ClusterScore = "cluster_score";

    /// <summary>
    /// Writes q(y|x) = softmax_k(log π_k − KL(N(μ, σ²) ‖ N(μ_k, σ_k²))) from the posterior tensors, with the same terms as
    /// <see cref="MixtureMath"/> (the KL's constant −½·L, equal for every k, is left out of the softmax).
    /// </summary>
    public static void EmitClusters(OnnxGraphBuilder graph, string mean, string logVariance, Tensor priorMean, Tensor priorLogVariance, Tensor logWeights)
    {
        const string p = "mixture.";
        string axis1 = graph.Int64(p + "axis1", 1);
        graph.AddNode("Unsqueeze", new[] { mean, axis1 }, p + "mean3");
        graph.AddNode("Unsqueeze", new[] { logVariance, axis1 }, p + "log_variance3");
        graph.AddNode("Sub", new[] { p + "mean3", graph.Floats(p + "prior_means", priorMean) }, p + "difference");
        graph.AddNode("Mul", new[] { p + "difference", p + "difference" }, p + "squared");
        graph.AddNode("Exp", new[] { p + "log_variance3" }, p + "variance3");
        graph.AddNode("Add", new[] { p + "variance3", p + "squared" }, p + "spread");
        using var precision = (-priorLogVariance).exp();
        graph.AddNode("Mul", new[] { p + "spread", graph.Floats(p + "prior_precisions", precision) }, p + "scaled");
        graph.AddNode("Sub", new[] { graph.Floats(p + "prior_log_variances", priorLogVariance), p + "log_variance3" }, p + "log_ratio");
        graph.AddNode("Add", new[] { p + "log_ratio", p + "scaled" }, p + "terms");
        graph.AddNode("ReduceSum", new[] { p + "terms", graph.Int64(p + "axis2", 2) }, p + "twice_kl", OnnxGraphBuilder.Int("keepdims", 0));
        graph.AddNode("Mul", new[] { p + "twice_kl", graph.Scalar(p + "minus_half", -0.5f) }, p + "minus_kl");
        graph.AddNode("Add", new[] { p + "minus_kl", graph.Floats(p + "log_weights", logWeights) }, p + "logits");
        graph.AddNode("Softmax", new[] { p + "logits" }, graph.OutputTarget(ClusterProbabilities), OnnxGraphBuilder.Int("axis", 1));
        graph.AddNode("LogSoftmax", new[] { p + "logits" }, p + "log_probabilities", OnnxGraphBuilder.Int("axis", 1));
        graph.AddNode("Neg", new[] { p + "log_probabilities" }, graph.OutputTarget(ClusterScore));
        graph.AddNode("ArgMax", new[] { p + "logits" }, p + "argmax", OnnxGraphBuilder.Int("axis", 1), OnnxGraphBuilder.Int("keepdims", 0));
        graph.AddNode("Cast", new[] { p + "argmax" }, graph.OutputTarget(Cluster), OnnxGraphBuilder.Int("to", 1));
    }
}

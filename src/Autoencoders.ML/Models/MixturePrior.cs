namespace Autoencoders.ML.Models;

public sealed partial class AutoencoderModel
{
    /// <summary>The learned prior of a Gaussian-mixture VAE: p(z) = Σ_k π_k·N(μ_k, diag σ_k²).</summary>
    /// <param name="Means">μ_k, K rows of latent-size values.</param>
    /// <param name="LogVariances">log σ_k² (clamped as in training), K rows of latent-size values.</param>
    /// <param name="Weights">π_k, K values summing to 1.</param>
    public sealed record MixturePrior(IReadOnlyList<float[]> Means, IReadOnlyList<float[]> LogVariances, IReadOnlyList<float> Weights)
    {
        /// <summary>K, the number of components.</summary>
        public int Clusters => Weights.Count;
    }
}

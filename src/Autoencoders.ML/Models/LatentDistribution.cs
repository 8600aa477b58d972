namespace Autoencoders.ML.Models;

public sealed partial class AutoencoderModel
{
    /// <summary>The posterior q(z|x) = N(μ, diag σ²) of each row, as a variational encoder gives it.</summary>
    /// <param name="Mean">μ per row, latent-size values each.</param>
    /// <param name="LogVariance">log σ² per row (clamped as in training), latent-size values each.</param>
    public sealed record LatentDistribution(IReadOnlyList<float[]> Mean, IReadOnlyList<float[]> LogVariance);
}

namespace Autoencoders.ML.Kinds;

/// <summary>
/// The model kinds: which network and loss a model has. Denoising and convolutional are not kinds: a plain autoencoder
/// trained on corrupted rows, or built from convolutions (<see cref="AutoencoderModel.Kind"/> names those too, as the
/// files do).
/// </summary>
public enum ModelKind
{
    /// <summary>A plain autoencoder (dense, stacked, linear or convolutional; denoising when trained on corrupted rows): <see cref="AutoencoderOptions"/>.</summary>
    Autoencoder,

    /// <summary>A variational autoencoder: <see cref="Variational.VariationalAutoencoderOptions"/>.</summary>
    Variational,

    /// <summary>A Gaussian-mixture VAE, for clustering: <see cref="Mixture.MixtureAutoencoderOptions"/>.</summary>
    GaussianMixture,
}

namespace Autoencoders.ML.Kinds.Mixture;

public sealed partial class MixtureAutoencoderOptions
{
    /// <summary>Which defaults a Gaussian-mixture VAE trains with (<see cref="Recipe"/>): the measured ones for images or for tables.</summary>
    public enum RecipeKind
    {
        /// <summary>
        /// <see cref="Image"/> when the training rows are images (a square number of at least 64 values, all in [0, 1]: the
        /// rule the anomaly detector's recipe shares), else <see cref="Tabular"/>. Resolved when training starts.
        /// </summary>
        Auto,

        /// <summary>
        /// Rows of pixels in [0, 1] (docs/mixture-defaults.md): every setting left at its library default takes the value
        /// that clustered MNIST at 96.85% in the MixtureVae example — hidden layers 500, 500 and 2000, a 10-value code, binary
        /// cross-entropy, 20 pretraining and 20 mixture epochs (each at least 1,000 steps), Adam 2e-3 on a cosine schedule
        /// with a 25% warm-up, images moved (shift, turn, resize, slant), the consistency term (λ = 200, b = 2), the best of
        /// 3 runs by the final training loss, and bfloat16 products where the CPU has them natively. Settings changed from
        /// their defaults are kept.
        /// </summary>
        Image,

        /// <summary>Columns of a table: the library's defaults as they are (hidden 512 and 128, a 32-value code, mean squared error, the automatic budget).</summary>
        Tabular,
    }
}

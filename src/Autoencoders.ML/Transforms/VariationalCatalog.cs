using Autoencoders.ML.Transforms;
using Microsoft.ML;

namespace Microsoft.ML;

/// <summary>Generative entry points on <c>mlContext.Transforms</c> and <c>mlContext.Data</c>: decoding and prior sampling.</summary>
public static partial class AutoencodersCatalog
{
    /// <summary>Default name of a latent column.</summary>
    public const string DefaultLatent = AutoencoderColumns.DefaultLatent;

    /// <summary>Default name of a generated (decoded) column.</summary>
    public const string DefaultGenerated = "Generated";

    /// <summary>
    /// Decodes a latent column into data with the decoder of <paramref name="model"/> (any kind; for a VAE, the
    /// generative model p(x|z)). The latent column must be a known-size <c>Vector&lt;Single&gt;</c> of the model's latent
    /// size; the output is a <c>Vector&lt;Single&gt;</c> of its output size, output activation applied.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="model">A trained model; the transform does not dispose it.</param>
    /// <param name="outputColumnName">Column for the generated data.</param>
    /// <param name="inputColumnName">The latent column; null means <c>Latent</c>. Pass the output's name to decode in place.</param>
    /// <param name="scoringBatchSize">Rows per ONNX Runtime call.</param>
    public static IEstimator<LatentDecoderTransformer> DecodeLatent(
        this TransformsCatalog catalog,
        AutoencoderModel model,
        string outputColumnName = DefaultGenerated,
        string? inputColumnName = DefaultLatent,
        int scoringBatchSize = ScoringTransformer.DefaultScoringBatchSize)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        string input = inputColumnName ?? DefaultLatent;
        return new ScoringEstimator<LatentDecoderTransformer>(
            LatentDecoderTransformer.Describe(model, outputColumnName, input), scoringBatchSize,
            () => new LatentDecoderTransformer(model, outputColumnName, input, scoringBatchSize, scoringThreads: null));
    }

    /// <summary>
    /// <paramref name="count"/> samples from a variational model's prior as an <see cref="IDataView"/>: the draws
    /// z ~ N(0, I) in <paramref name="latentColumnName"/> and, unless <paramref name="outputColumnName"/> is null, the
    /// decoded data. Lazy (drawn a block at a time when read) and reproducible: every cursor, and
    /// <see cref="AutoencoderModel.SamplePrior"/> with the same seed, gives the same rows.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="model">A variational model; it must outlive the view.</param>
    /// <param name="count">Rows to generate, ≥ 1.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="latentColumnName">Column for z.</param>
    /// <param name="outputColumnName">Column for the decoded data, or null for the draws only (decode them later with <see cref="DecodeLatent"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    /// <exception cref="NotSupportedException">The model is not variational.</exception>
    public static IDataView SampleFromPrior(
        this DataOperationsCatalog catalog,
        AutoencoderModel model,
        int count,
        int seed = 0,
        string latentColumnName = DefaultLatent,
        string? outputColumnName = DefaultGenerated) =>
        PriorSamples.Create(catalog, model, count, seed, latentColumnName, outputColumnName);
}

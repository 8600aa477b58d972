using Autoencoders.ML.Transforms;
using Microsoft.ML;

namespace Microsoft.ML;

/// <summary>Autoencoder transforms on <c>mlContext.Transforms</c>.</summary>
public static partial class AutoencodersCatalog
{
    /// <summary>
    /// Trains a dense autoencoder on <paramref name="inputColumnName"/> and adds its latent code as
    /// <paramref name="outputColumnName"/> (and, if named, the reconstruction and the per-row reconstruction error).
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">Column for the latent code.</param>
    /// <param name="inputColumnName">Known-size <c>Vector&lt;Single&gt;</c> column to encode; null (default) means <c>Features</c>, as for ML.NET's trainers. Pass the output's name to replace the column with its code.</param>
    /// <param name="latentSize">Size of the code.</param>
    /// <param name="hiddenSizes">Encoder hidden layer widths (the decoder mirrors them); null gives the default, 512 and 128.</param>
    /// <param name="epochs">Training epochs; null (default) is the automatic budget: until the validation loss stops improving (see <see cref="TrainingOptions.Epochs"/>).</param>
    /// <param name="loss">Reconstruction loss; binary cross-entropy needs data in [0, 1].</param>
    /// <param name="reconstructionColumnName">If set, also add the reconstruction.</param>
    /// <param name="reconstructionErrorColumnName">If set, also add the per-row mean squared reconstruction error (an anomaly score).</param>
    /// <param name="seed">Seed for weights, shuffling and dropout. Null (default) takes a seed from the MLContext, as ML.NET does: <c>new MLContext(seed: 0)</c> makes runs repeatable.</param>
    /// <param name="onEpoch">Called with each epoch's report on the training thread (for example to print progress); null for none.</param>
    public static AutoencoderEstimator Autoencoder(
        this TransformsCatalog catalog,
        string outputColumnName = AutoencoderColumns.DefaultLatent,
        string? inputColumnName = null,
        int latentSize = AutoencoderOptions.Defaults.LatentSize,
        IReadOnlyList<int>? hiddenSizes = null,
        int? epochs = null,
        ReconstructionLoss loss = AutoencoderOptions.Defaults.Loss,
        string? reconstructionColumnName = null,
        string? reconstructionErrorColumnName = null,
        int? seed = null,
        Action<EpochReport>? onEpoch = null)
    {
        var columns = new AutoencoderColumns
        {
            InputColumnName = inputColumnName ?? AutoencoderColumns.DefaultInput,
            LatentColumnName = outputColumnName,
            ReconstructionColumnName = reconstructionColumnName,
            ReconstructionErrorColumnName = reconstructionErrorColumnName,
        };
        return Create(catalog, columns, null, latentSize, hiddenSizes, epochs, loss, seed, null, onEpoch);
    }

    /// <summary>
    /// Trains a denoising autoencoder: every training batch of <paramref name="inputColumnName"/> is corrupted by
    /// <paramref name="corruption"/> and the network learns to output the clean values. The fitted transform maps a
    /// (noisy) input column to a clean <paramref name="outputColumnName"/> column of the same size.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">Column for the denoised values.</param>
    /// <param name="inputColumnName">Known-size <c>Vector&lt;Single&gt;</c> column; null means <c>Features</c>. Pass the output's name to replace the column with the denoised values.</param>
    /// <param name="corruption">The noise used in training, e.g. <c>CorruptionOptions.GaussianClipped(0.5)</c>.</param>
    /// <param name="latentSize">Size of the code.</param>
    /// <param name="hiddenSizes">Encoder hidden layer widths (the decoder mirrors them); null gives the default, 512 and 128.</param>
    /// <param name="epochs">Training epochs; null (default) is the automatic budget: until the validation loss stops improving (see <see cref="TrainingOptions.Epochs"/>).</param>
    /// <param name="loss">Reconstruction loss; binary cross-entropy needs clean data in [0, 1].</param>
    /// <param name="seed">Seed for weights, shuffling and noise. Null (default) takes a seed from the MLContext, as ML.NET does: <c>new MLContext(seed: 0)</c> makes runs repeatable.</param>
    /// <param name="onEpoch">Called with each epoch's report on the training thread (for example to print progress); null for none.</param>
    public static AutoencoderEstimator DenoisingAutoencoder(
        this TransformsCatalog catalog,
        string outputColumnName,
        string? inputColumnName,
        CorruptionOptions corruption,
        int latentSize = AutoencoderOptions.Defaults.LatentSize,
        IReadOnlyList<int>? hiddenSizes = null,
        int? epochs = null,
        ReconstructionLoss loss = AutoencoderOptions.Defaults.Loss,
        int? seed = null,
        Action<EpochReport>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(corruption);
        var columns = new AutoencoderColumns
        {
            InputColumnName = inputColumnName ?? AutoencoderColumns.DefaultInput,
            LatentColumnName = null,
            ReconstructionColumnName = outputColumnName,
        };
        return Create(catalog, columns, null, latentSize, hiddenSizes, epochs, loss, seed, corruption, onEpoch);
    }

    /// <summary>
    /// Trains an image-to-image (paired) autoencoder that maps <paramref name="inputColumnName"/> to
    /// <paramref name="targetColumnName"/>, whose size may differ (e.g. 14×14 → 28×28 super-resolution, watermarked →
    /// clean, grey → colour). The fitted transform adds <paramref name="outputColumnName"/> with the target's size.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">Column for the predicted target.</param>
    /// <param name="inputColumnName">Known-size <c>Vector&lt;Single&gt;</c> input column.</param>
    /// <param name="targetColumnName">Known-size <c>Vector&lt;Single&gt;</c> column to learn; needed for training only.</param>
    /// <param name="latentSize">Size of the code.</param>
    /// <param name="hiddenSizes">Encoder hidden layer widths (the decoder mirrors them); null gives the default, 512 and 128.</param>
    /// <param name="epochs">Training epochs; null (default) is the automatic budget: until the validation loss stops improving (see <see cref="TrainingOptions.Epochs"/>).</param>
    /// <param name="loss">Reconstruction loss; binary cross-entropy needs targets in [0, 1].</param>
    /// <param name="seed">Seed for weights and shuffling. Null (default) takes a seed from the MLContext, as ML.NET does: <c>new MLContext(seed: 0)</c> makes runs repeatable.</param>
    /// <param name="onEpoch">Called with each epoch's report on the training thread (for example to print progress); null for none.</param>
    public static AutoencoderEstimator PairedAutoencoder(
        this TransformsCatalog catalog,
        string outputColumnName,
        string inputColumnName,
        string targetColumnName,
        int latentSize = AutoencoderOptions.Defaults.LatentSize,
        IReadOnlyList<int>? hiddenSizes = null,
        int? epochs = null,
        ReconstructionLoss loss = AutoencoderOptions.Defaults.Loss,
        int? seed = null,
        Action<EpochReport>? onEpoch = null)
    {
        var columns = new AutoencoderColumns { InputColumnName = inputColumnName, LatentColumnName = null, ReconstructionColumnName = outputColumnName };
        return Create(catalog, columns, targetColumnName, latentSize, hiddenSizes, epochs, loss, seed, null, onEpoch);
    }

    /// <summary>Trains a dense autoencoder with every setting given in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="options">Columns, architecture, training and scoring settings.</param>
    public static AutoencoderEstimator Autoencoder(this TransformsCatalog catalog, AutoencoderEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AutoencoderEstimator(CatalogEnvironment.Of(catalog), options);
    }

    /// <summary>
    /// Applies an already trained model (for example one loaded with <see cref="AutoencoderModel.Load"/>) without
    /// training: returns an estimator that can be <c>.Append</c>ed to a pipeline; its <c>Fit</c> checks the input
    /// column and returns the <see cref="AutoencoderTransformer"/>. The transforms do not dispose the model.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="model">The trained model.</param>
    /// <param name="columns">Input and output columns; null gives <c>Features</c> → <c>Latent</c>.</param>
    /// <param name="scoringBatchSize">Rows per ONNX Runtime call.</param>
    /// <param name="scoringThreads">ONNX Runtime intra-op threads; null (default): one per physical core on Linux, ONNX Runtime's own choice elsewhere.</param>
    /// <exception cref="ArgumentException">The columns are invalid or ask for what the model cannot give (a log-variance of a non-variational model).</exception>
    public static IEstimator<AutoencoderTransformer> ApplyAutoencoder(
        this TransformsCatalog catalog, AutoencoderModel model, AutoencoderColumns? columns = null, int scoringBatchSize = ScoringTransformer.DefaultScoringBatchSize, int? scoringThreads = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        columns ??= new AutoencoderColumns();
        return new ScoringEstimator<AutoencoderTransformer>(
            AutoencoderTransformer.Describe(model, columns), scoringBatchSize,
            () => new AutoencoderTransformer(model, columns, scoringBatchSize, scoringThreads, ownsModel: false));
    }

    /// <summary>The estimator behind the simple overloads: their arguments, the rest at its defaults.</summary>
    private static AutoencoderEstimator Create(
        TransformsCatalog catalog, AutoencoderColumns columns, string? targetColumnName, int latentSize, IReadOnlyList<int>? hiddenSizes,
        int? epochs, ReconstructionLoss loss, int? seed, CorruptionOptions? corruption, Action<EpochReport>? onEpoch)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var environment = CatalogEnvironment.Of(catalog);
        var options = new AutoencoderEstimator.Options
        {
            Columns = columns,
            TargetColumnName = targetColumnName,
            Model = new AutoencoderOptions { LatentSize = latentSize, Loss = loss },
            Training = new TrainingOptions { Epochs = epochs, Seed = CatalogEnvironment.Seed(environment, seed), Corruption = corruption },
            OnEpoch = onEpoch,
        };
        if (hiddenSizes != null)
        {
            options.Model.HiddenSizes = hiddenSizes;
        }

        return new AutoencoderEstimator(environment, options);
    }
}

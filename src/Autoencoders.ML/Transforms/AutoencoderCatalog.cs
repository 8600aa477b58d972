using System;
using System.Collections.Generic;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;

namespace Autoencoders.ML.Transforms;

/// <summary>Autoencoder transforms on <c>mlContext.Transforms</c>.</summary>
public static class AutoencoderCatalog
{
    /// <summary>
    /// Trains a dense autoencoder on <paramref name="inputColumnName"/> and adds its latent code as
    /// <paramref name="outputColumnName"/> (and, if named, the reconstruction and the per-row reconstruction error).
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">Column for the latent code.</param>
    /// <param name="inputColumnName">Known-size <c>Vector&lt;Single&gt;</c> column to encode; null means the same as <paramref name="outputColumnName"/> (the code replaces it).</param>
    /// <param name="latentSize">Size of the code.</param>
    /// <param name="hiddenSizes">Encoder hidden layer widths (the decoder mirrors them); null gives one layer of 256.</param>
    /// <param name="epochs">Training epochs; null (default) is the automatic budget: until the validation loss stops improving (see <see cref="TrainingOptions.Epochs"/>).</param>
    /// <param name="loss">Reconstruction loss; binary cross-entropy needs data in [0, 1].</param>
    /// <param name="reconstructionColumnName">If set, also add the reconstruction.</param>
    /// <param name="reconstructionErrorColumnName">If set, also add the per-row mean squared reconstruction error (an anomaly score).</param>
    /// <param name="seed">Seed for weights, shuffling and dropout.</param>
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
        int seed = TrainingOptions.Defaults.Seed)
    {
        var options = new AutoencoderEstimator.Options
        {
            Columns = new AutoencoderColumns
            {
                InputColumnName = inputColumnName ?? outputColumnName,
                LatentColumnName = outputColumnName,
                ReconstructionColumnName = reconstructionColumnName,
                ReconstructionErrorColumnName = reconstructionErrorColumnName,
            },
            Model = new AutoencoderOptions { LatentSize = latentSize, Loss = loss },
            Training = new TrainingOptions { Epochs = epochs, Seed = seed },
        };
        if (hiddenSizes != null)
        {
            options.Model.HiddenSizes = hiddenSizes;
        }

        return catalog.Autoencoder(options);
    }

    /// <summary>
    /// Trains a denoising autoencoder: every training batch of <paramref name="inputColumnName"/> is corrupted by
    /// <paramref name="corruption"/> and the network learns to output the clean values. The fitted transform maps a
    /// (noisy) input column to a clean <paramref name="outputColumnName"/> column of the same size.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">Column for the denoised values.</param>
    /// <param name="inputColumnName">Known-size <c>Vector&lt;Single&gt;</c> column; null means the same as <paramref name="outputColumnName"/> (the denoised values replace it).</param>
    /// <param name="corruption">The noise used in training, e.g. <c>CorruptionOptions.GaussianClipped(0.5)</c>.</param>
    /// <param name="latentSize">Size of the code.</param>
    /// <param name="hiddenSizes">Encoder hidden layer widths (the decoder mirrors them); null gives one layer of 256.</param>
    /// <param name="epochs">Training epochs; null (default) is the automatic budget: until the validation loss stops improving (see <see cref="TrainingOptions.Epochs"/>).</param>
    /// <param name="loss">Reconstruction loss; binary cross-entropy needs clean data in [0, 1].</param>
    /// <param name="seed">Seed for weights, shuffling and noise.</param>
    public static AutoencoderEstimator DenoisingAutoencoder(
        this TransformsCatalog catalog,
        string outputColumnName,
        string? inputColumnName,
        CorruptionOptions corruption,
        int latentSize = AutoencoderOptions.Defaults.LatentSize,
        IReadOnlyList<int>? hiddenSizes = null,
        int? epochs = null,
        ReconstructionLoss loss = AutoencoderOptions.Defaults.Loss,
        int seed = TrainingOptions.Defaults.Seed)
    {
        ArgumentNullException.ThrowIfNull(corruption);
        var options = new AutoencoderEstimator.Options
        {
            Columns = new AutoencoderColumns
            {
                InputColumnName = inputColumnName ?? outputColumnName,
                LatentColumnName = null,
                ReconstructionColumnName = outputColumnName,
            },
            Model = new AutoencoderOptions { LatentSize = latentSize, Loss = loss },
            Training = new TrainingOptions { Epochs = epochs, Seed = seed, Corruption = corruption },
        };
        if (hiddenSizes != null)
        {
            options.Model.HiddenSizes = hiddenSizes;
        }

        return catalog.Autoencoder(options);
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
    /// <param name="hiddenSizes">Encoder hidden layer widths (the decoder mirrors them); null gives one layer of 256.</param>
    /// <param name="epochs">Training epochs; null (default) is the automatic budget: until the validation loss stops improving (see <see cref="TrainingOptions.Epochs"/>).</param>
    /// <param name="loss">Reconstruction loss; binary cross-entropy needs targets in [0, 1].</param>
    /// <param name="seed">Seed for weights and shuffling.</param>
    public static AutoencoderEstimator PairedAutoencoder(
        this TransformsCatalog catalog,
        string outputColumnName,
        string inputColumnName,
        string targetColumnName,
        int latentSize = AutoencoderOptions.Defaults.LatentSize,
        IReadOnlyList<int>? hiddenSizes = null,
        int? epochs = null,
        ReconstructionLoss loss = AutoencoderOptions.Defaults.Loss,
        int seed = TrainingOptions.Defaults.Seed)
    {
        var options = new AutoencoderEstimator.Options
        {
            Columns = new AutoencoderColumns { InputColumnName = inputColumnName, LatentColumnName = null, ReconstructionColumnName = outputColumnName },
            TargetColumnName = targetColumnName,
            Model = new AutoencoderOptions { LatentSize = latentSize, Loss = loss },
            Training = new TrainingOptions { Epochs = epochs, Seed = seed },
        };
        if (hiddenSizes != null)
        {
            options.Model.HiddenSizes = hiddenSizes;
        }

        return catalog.Autoencoder(options);
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
    /// Wraps an already trained model (for example one loaded with <see cref="AutoencoderModel.Load"/>) as a transform,
    /// without training. The transform does not dispose the model.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="model">The trained model.</param>
    /// <param name="columns">Input and output columns; null gives <c>Features</c> → <c>Latent</c>.</param>
    /// <param name="scoringBatchSize">Rows per ONNX Runtime call.</param>
    public static AutoencoderTransformer ApplyAutoencoder(
        this TransformsCatalog catalog, AutoencoderModel model, AutoencoderColumns? columns = null, int scoringBatchSize = 512)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AutoencoderTransformer(model, columns ?? new AutoencoderColumns(), scoringBatchSize, scoringThreads: null, ownsModel: false);
    }
}

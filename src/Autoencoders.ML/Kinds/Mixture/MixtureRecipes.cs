using System.IO;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Kinds.Mixture;

/// <summary>
/// The settings behind each <see cref="MixtureAutoencoderOptions.RecipeKind"/>, written once, and their resolution when training starts: the
/// library's defaults and the CLI's (<c>train --kind gmvae</c>) are this one recipe (docs/mixture-defaults.md).
/// </summary>
internal static class MixtureRecipes
{
    /// <summary>The image recipe's hidden layers (VaDE's 784-500-500-2000-10).</summary>
    public static readonly IReadOnlyList<int> ImageHiddenSizes = Array.AsReadOnly(new[] { 500, 500, 2000 });

    /// <summary>The image recipe's code size.</summary>
    public const int ImageLatentSize = 10;

    /// <summary>Epochs of the pretraining and of the mixture training in the image recipe (each at least <see cref="MinimumSteps"/> steps).</summary>
    public const int ImageEpochs = 20;

    /// <summary>Fewest optimiser steps of each image stage, so that a small image set (1,797 digits: 8 batches an epoch) trains enough.</summary>
    public const int MinimumSteps = 1_000;

    /// <summary>The image recipe's Adam learning rate.</summary>
    public const double ImageLearningRate = 2e-3;

    /// <summary>The image recipe's cosine warm-up fraction over the mixture epochs.</summary>
    public const double ImageWarmupFraction = 0.25;

    /// <summary>The image recipe's consistency weight λ and balance b.</summary>
    public const double ImageConsistencyWeight = 200, ImageConsistencyBalance = 2;

    /// <summary>The image recipe's runs (best by the final training loss).</summary>
    public const int ImageRuns = 3;

    /// <summary>The image recipe's turn (degrees), resize (fraction) and slant (degrees) of the moves.</summary>
    public const double ImageRotation = 15, ImageScale = 0.1, ImageShear = 10;

    /// <summary>
    /// The smallest image side the recipe moves (and so trains with the consistency term): smaller images are not moved.
    /// Chosen by the side rule of docs/mixture-defaults.md on downsampled MNIST training rows, never on the digits.
    /// </summary>
    public const int ImageMovesMinimumSide = 12;

    /// <summary>
    /// Resolves <paramref name="model"/>'s recipe from the rows of <paramref name="data"/> and returns copies of both option
    /// sets with the recipe's values in every setting left at its library default (the inputs are not changed).
    /// </summary>
    /// <param name="model">The options as given.</param>
    /// <param name="training">The training options as given.</param>
    /// <param name="data">The training rows.</param>
    /// <param name="column">The feature column.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="targetColumn">A paired target column, or null (the image recipe moves the input rows, so it needs none).</param>
    public static (MixtureAutoencoderOptions Model, TrainingOptions Training) Resolve(
        MixtureAutoencoderOptions model, TrainingOptions training, IDataView data, string column, int width, string? targetColumn)
    {
        var resolvedModel = Copy(model);
        var resolvedTraining = training.Clone();
        long rows = 0;
        bool images = targetColumn == null && ImageRows.SquareSide(width) != null && ImageRows.AreImages(width, Count(data.GetColumn<float[]>(column), () => rows++));
        var recipe = model.Recipe != MixtureAutoencoderOptions.RecipeKind.Auto ? model.Recipe : images ? MixtureAutoencoderOptions.RecipeKind.Image : MixtureAutoencoderOptions.RecipeKind.Tabular;
        resolvedModel.Recipe = recipe;
        resolvedModel.RecipeReason = model.Recipe != MixtureAutoencoderOptions.RecipeKind.Auto
            ? "requested"
            : "chosen automatically: " + (targetColumn != null ? $"a target column '{targetColumn}' is given (the image recipe moves the input rows)" : ImageRows.Describe(images));
        if (recipe == MixtureAutoencoderOptions.RecipeKind.Image)
        {
            rows = images ? rows : data.GetRowCount() ?? data.GetColumn<float[]>(column).LongCount();
            ApplyImage(resolvedModel, resolvedTraining, width, rows, model.GivenExplicitly);
        }

        return (resolvedModel, resolvedTraining);
    }

    /// <summary>Sets the image recipe's value in every setting of the two copies left at its library default.</summary>
    private static void ApplyImage(MixtureAutoencoderOptions model, TrainingOptions training, int width, long rows, ISet<string> given)
    {
        var defaults = new MixtureAutoencoderOptions();
        bool Open(string setting, bool atDefault) => atDefault && !given.Contains(setting);
        if (model.Convolution == null && Open("HiddenSizes", model.HiddenSizes.SequenceEqual(AutoencoderOptions.Defaults.HiddenSizes)))
        {
            model.HiddenSizes = ImageHiddenSizes;
        }

        if (Open("LatentSize", model.LatentSize == AutoencoderOptions.Defaults.LatentSize))
        {
            model.LatentSize = ImageLatentSize;
        }

        if (Open("Loss", model.Loss == AutoencoderOptions.Defaults.Loss))
        {
            model.Loss = ReconstructionLoss.BinaryCrossEntropy;
        }

        // Epochs of at least MinimumSteps steps: the rows of one epoch are the training rows (no validation split
        // unless one was asked for).
        double trainingRows = rows * (1 - (training.ValidationFraction ?? 0));
        long batches = Math.Max(1, (long)Math.Ceiling(trainingRows / training.BatchSize));
        int epochs = (int)Math.Max(ImageEpochs, Math.Ceiling((double)MinimumSteps / batches));
        if (Open("PretrainEpochs", model.PretrainEpochs == defaults.PretrainEpochs))
        {
            model.PretrainEpochs = epochs;
        }

        if (Open("Epochs", training.Epochs == null))
        {
            training.Epochs = epochs;
        }

        if (Open("LearningRate", training.LearningRate == TrainingOptions.Defaults.LearningRate))
        {
            training.LearningRate = ImageLearningRate;
        }

        if (Open("Schedule", training.LearningRateSchedule == null))
        {
            training.LearningRateSchedule = new CosineSchedule { WarmupFraction = ImageWarmupFraction };
        }

        if (Open("Augmentation", training.Augmentation == null))
        {
            var shape = model.Convolution?.ImageShape ?? (ImageRows.SquareSide(width) is int side ? new ImageShape(1, side, side) : null)
                ?? throw new ArgumentException(
                    $"Recipe is Image, which moves the images, but a row of {width} values is not a square image and no shape is known. " +
                    "Set TrainingOptions.Augmentation with the images' shape (new ImageAugmentation(new ImageShape(c, h, w), ...)), or Recipe = Tabular.",
                    nameof(MixtureAutoencoderOptions.Recipe));
            int smaller = Math.Min(shape.Height, shape.Width);
            if (smaller >= ImageMovesMinimumSide)
            {
                int shift = Math.Max(1, (int)Math.Round(2.0 * smaller / 28));
                training.Augmentation = new ImageAugmentation(shape, shift, ImageRotation, ImageScale, ImageShear);
            }
            else
            {
                model.RecipeReason += $"; images of side {smaller} < {ImageMovesMinimumSide} are not moved (so no consistency term)";
            }
        }

        if (Open("ConsistencyWeight", model.ConsistencyWeight == defaults.ConsistencyWeight) && training.Augmentation is { MovesRows: true })
        {
            model.ConsistencyWeight = ImageConsistencyWeight;
        }

        if (Open("ConsistencyBalance", model.ConsistencyBalance == defaults.ConsistencyBalance))
        {
            model.ConsistencyBalance = ImageConsistencyBalance;
        }

        if (Open("Runs", training.Runs == 1) && training.CheckpointEvery == null && training.ResumeFrom == null)
        {
            training.Runs = ImageRuns;
        }

        if (Open("Precision", training.Precision == TrainingPrecision.Float32))
        {
            training.Precision = TrainingPrecision.Automatic;
        }
    }

    /// <summary>A deep copy through the model file's JSON (every option, the kind's own included).</summary>
    private static MixtureAutoencoderOptions Copy(MixtureAutoencoderOptions options)
    {
        string json = JsonSerializer.Serialize<AutoencoderOptions>(options, AutoencoderSpec.JsonOptions);
        return (MixtureAutoencoderOptions)JsonSerializer.Deserialize<AutoencoderOptions>(json, AutoencoderSpec.JsonOptions)!;
    }

    private static IEnumerable<float[]> Count(IEnumerable<float[]> rows, Action counted)
    {
        foreach (var row in rows)
        {
            counted();
            yield return row;
        }
    }
}

using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Anomaly;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Data;
using Autoencoders.ML.IO;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>The mixture VAE's recipe (docs/mixture-defaults.md): rows of pixels take the image recipe in every setting left at its default; tables keep the defaults.</summary>
public sealed class MixtureRecipeTests
{
    private readonly MLContext ml = new(seed: 0);

    [Fact]
    public void OneRuleSaysWhichRowsAreImagesForBothRecipes()
    {
        var random = new Random(0);
        float[][] Rows(int width, float scale) => Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, width).Select(_ => (float)random.NextDouble() * scale).ToArray()).ToArray();
        Assert.True(ImageRows.AreImages(64, Rows(64, 1)));   // 8×8 digits
        Assert.True(ImageRows.AreImages(784, Rows(784, 1))); // MNIST
        Assert.False(ImageRows.AreImages(63, Rows(63, 1)));  // not a square
        Assert.False(ImageRows.AreImages(49, Rows(49, 1)));  // 7×7: too small to be taken for an image
        Assert.False(ImageRows.AreImages(64, Rows(64, 16))); // values outside [0, 1]: a table (or unscaled pixels)
        Assert.Equal(AnomalyRecipe.Image, AnomalyRecipes.Resolve(AnomalyRecipe.Auto, Rows(64, 1)));
        Assert.Equal(AnomalyRecipe.Tabular, AnomalyRecipes.Resolve(AnomalyRecipe.Auto, Rows(64, 16)));
    }

    [Fact]
    public void SmallImagesGetAtLeastAThousandStepsAndAreMovedFromTheSideRulesSideUp()
    {
        // 1,000 rows of 8×8 pixels: 4 batches of 256 an epoch, so each stage takes 250 epochs (1,000 steps). Below the
        // side rule's smallest side the images are not moved, so the consistency term stays off, and the reason says so.
        var random = new Random(1);
        float[][] Rows(int side) => Enumerable.Range(0, 1000).Select(_ => Enumerable.Range(0, side * side).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        var rows = Rows(8);
        var given = new MixtureAutoencoderOptions();
        var (model, training) = MixtureRecipes.Resolve(given, new TrainingOptions(), Vectors.ToDataView(ml, rows), "Features", 64, targetColumn: null);
        Assert.Equal(MixtureAutoencoderOptions.RecipeKind.Image, model.Recipe);
        Assert.Equal(250, model.PretrainEpochs);
        Assert.Equal(250, training.Epochs);
        Assert.True(8 < MixtureRecipes.ImageMovesMinimumSide);
        Assert.Null(training.Augmentation);
        Assert.Equal(0, model.ConsistencyWeight);
        Assert.Contains($"images of side 8 < {MixtureRecipes.ImageMovesMinimumSide} are not moved", model.RecipeReason);

        // At the smallest side moved: a 1-pixel shift (2 pixels at 28) and the consistency term.
        int moved = MixtureRecipes.ImageMovesMinimumSide;
        var (movedModel, movedTraining) = MixtureRecipes.Resolve(given, new TrainingOptions(), Vectors.ToDataView(ml, Rows(moved)), "Features", moved * moved, targetColumn: null);
        Assert.Equal(new ImageShape(1, moved, moved), movedTraining.Augmentation!.Image);
        Assert.Equal(Math.Max(1, (int)Math.Round(2.0 * moved / 28)), movedTraining.Augmentation.MaxShift);
        Assert.Equal(MixtureRecipes.ImageConsistencyWeight, movedModel.ConsistencyWeight);
        Assert.Equal(MixtureAutoencoderOptions.RecipeKind.Auto, given.Recipe); // the options given are not changed
        Assert.Equal(AutoencoderOptions.Defaults.HiddenSizes, given.HiddenSizes);

        // Settings named as given explicitly (the CLI's flags) keep their value even where it equals the default.
        var explicitDefaults = new MixtureAutoencoderOptions();
        explicitDefaults.GivenExplicitly.Add("Runs");
        explicitDefaults.GivenExplicitly.Add("LatentSize");
        var (keptModel, keptTraining) = MixtureRecipes.Resolve(explicitDefaults, new TrainingOptions(), Vectors.ToDataView(ml, rows), "Features", 64, targetColumn: null);
        Assert.Equal((1, AutoencoderOptions.Defaults.LatentSize), (keptTraining.Runs, keptModel.LatentSize));
        Assert.Equal(MixtureRecipes.ImageHiddenSizes, keptModel.HiddenSizes);

        // A target column: the image recipe moves the input rows, so a paired model keeps the table's defaults.
        var (paired, _) = MixtureRecipes.Resolve(given, new TrainingOptions(), Vectors.ToDataView(ml, rows), "Features", 64, targetColumn: "Target");
        Assert.Equal(MixtureAutoencoderOptions.RecipeKind.Tabular, paired.Recipe);
        Assert.Contains("target column 'Target'", paired.RecipeReason);
    }

    [Fact]
    public void MnistTakesTheImageRecipeInEverySettingLeftAtItsDefaultAndSaysSo()
    {
        // 300 MNIST digits, only the budget given (1 + 1 epochs): everything else is the recipe's.
        var options = new MixtureAutoencoderOptions { Clusters = 3, PretrainEpochs = 1 };
        using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 1, Seed = 0, Threads = 1 }).Fit(Mnist.TrainView(ml, 300));
        var resolved = Assert.IsType<MixtureAutoencoderOptions>(model.Options);
        Assert.Equal(MixtureAutoencoderOptions.RecipeKind.Image, resolved.Recipe);
        Assert.Contains("square image", resolved.RecipeReason);
        Assert.Equal(new[] { 500, 500, 2000 }, resolved.HiddenSizes);
        Assert.Equal(10, resolved.LatentSize);
        Assert.Equal(ReconstructionLoss.BinaryCrossEntropy, resolved.Loss);
        Assert.Equal((200.0, 2.0), (resolved.ConsistencyWeight, resolved.ConsistencyBalance));
        Assert.Equal(1, resolved.PretrainEpochs); // given: kept
        Assert.Equal(1, model.Training.Epochs);    // given: kept
        Assert.Equal(3, model.Training.Runs);
        Assert.Equal(3, model.History.RunLosses!.Count);
        Assert.Equal(2e-3, model.Training.LearningRate);
        Assert.Equal((2, 15.0, 0.1, 10.0), (model.Training.Augmentation!.MaxShift, model.Training.Augmentation.MaxRotation, model.Training.Augmentation.MaxScale, model.Training.Augmentation.MaxShear));

        string folder = Path.Combine(Path.GetTempPath(), $"gmvae-recipe-{Guid.NewGuid():N}");
        try
        {
            ModelArchive.Save(model, folder);
            string json = File.ReadAllText(Path.Combine(folder, "model.json"));
            Assert.Contains("\"recipe\": \"Image\"", json);
            Assert.Contains("\"recipeReason\": \"chosen automatically: every row is a square image", json);
            using var loaded = AutoencoderModel.Load(folder);
            Assert.Equal(resolved.RecipeReason, ((MixtureAutoencoderOptions)loaded.Options).RecipeReason);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void SettingsChangedFromTheirDefaultsAreKeptAndTablesKeepTheDefaults()
    {
        var options = new MixtureAutoencoderOptions { Clusters = 3, HiddenSizes = new[] { 16 }, LatentSize = 4, PretrainEpochs = 1, ConsistencyWeight = 5 };
        var training = new TrainingOptions { Epochs = 1, Runs = 2, LearningRate = 1e-2, Threads = 1, Augmentation = new ImageAugmentation(new ImageShape(1, 28, 28), 1) };
        using var images = new AutoencoderTrainer(ml, options, training).Fit(Mnist.TrainView(ml, 200));
        var kept = (MixtureAutoencoderOptions)images.Options;
        Assert.Equal(MixtureAutoencoderOptions.RecipeKind.Image, kept.Recipe);
        Assert.Equal(new[] { 16 }, kept.HiddenSizes);
        Assert.Equal((4, 5.0), (kept.LatentSize, kept.ConsistencyWeight));
        Assert.Equal((2, 1e-2, 1, 0.0), (images.Training.Runs, images.Training.LearningRate, images.Training.Augmentation!.MaxShift, images.Training.Augmentation.MaxRotation));

        // A table (values outside [0, 1]): the library's defaults, untouched.
        var table = SyntheticClustersFixture.Make(200, seed: 5).Rows;
        using var tabular = new AutoencoderTrainer(ml, new MixtureAutoencoderOptions { Clusters = 4, LatentSize = 2, PretrainEpochs = 1 }, new TrainingOptions { Epochs = 1, Threads = 1 })
            .Fit(Vectors.ToDataView(ml, table));
        var defaults = (MixtureAutoencoderOptions)tabular.Options;
        Assert.Equal(MixtureAutoencoderOptions.RecipeKind.Tabular, defaults.Recipe);
        Assert.Contains("table", defaults.RecipeReason);
        Assert.Equal(AutoencoderOptions.Defaults.HiddenSizes, defaults.HiddenSizes);
        Assert.Equal((2, 0.0, ReconstructionLoss.MeanSquaredError), (defaults.LatentSize, defaults.ConsistencyWeight, defaults.Loss));
        Assert.Equal((1, (ImageAugmentation?)null, TrainingOptions.Defaults.LearningRate), (tabular.Training.Runs, tabular.Training.Augmentation, tabular.Training.LearningRate));
    }
}

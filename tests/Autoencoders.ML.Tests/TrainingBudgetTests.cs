using System;
using System.Collections.Generic;
using System.Linq;
using Autoencoders.ML.Baselines;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Autoencoders.ML.Tests;

/// <summary>
/// The automatic training budget (Epochs null): a validation hold-out, early stopping with the best weights kept, a cap
/// that follows the data's size, and the PCA yardstick in the history.
/// </summary>
public sealed class TrainingBudgetTests
{
    private readonly ITestOutputHelper output;

    public TrainingBudgetTests(ITestOutputHelper output) => this.output = output;

    private static AutoencoderOptions Small() => new() { HiddenSizes = new[] { 64 }, LatentSize = 16 };

    [Fact]
    public void TheCapFollowsTheDataSizeAndExplicitEpochsOverrideIt()
    {
        var automatic = new TrainingOptions();
        Assert.True(automatic.IsAutomatic);

        // 1,800 training rows in batches of 256: 8 steps an epoch, so 6,000 steps would be 750 epochs; 200 is the cap.
        var small = TrainingPlan.For(automatic, 1_800);
        Assert.Equal((200, 8L, true), (small.Epochs, small.StepsPerEpoch, small.Automatic));

        // 1,000,000 rows: 3,907 steps an epoch, so the step cap (6,000) ends the run after 2 epochs.
        var large = TrainingPlan.For(automatic, 1_000_000);
        Assert.Equal((2, 3907L), (large.Epochs, large.StepsPerEpoch));
        Assert.True(large.TotalSteps >= TrainingOptions.Defaults.MaxSteps);

        var fixedRun = TrainingPlan.For(new TrainingOptions { Epochs = 3 }, 1_000_000);
        Assert.Equal((3, false), (fixedRun.Epochs, fixedRun.Automatic));
        Assert.Equal(3, new TrainingOptions { Epochs = 3 }.EpochLimit);
        Assert.Equal(200, automatic.EpochLimit);
    }

    [Fact]
    public void AutomaticBudgetHoldsOutRowsStopsWhenValidationStallsAndKeepsTheBestWeights()
    {
        var ml = new MLContext(seed: 0);
        // 300 rows and a wide network: it overfits within a few dozen epochs, so the validation loss turns up.
        var options = new AutoencoderOptions { HiddenSizes = new[] { 512 }, LatentSize = 64 };
        var training = new TrainingOptions { BatchSize = 32, LearningRate = 3e-3 };
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
            {
                messages.Add(e.Message);
            }
        };
        using var model = new AutoencoderTrainer(ml, options, training).Fit(Mnist.TrainView(ml, 300));
        var history = model.History;

        Assert.Equal("validation", history.MonitoredLoss);
        Assert.True(history.StoppedEarly, $"ran all {history.Epochs.Count} epochs");
        Assert.Equal(history.BestEpoch + TrainingOptions.Defaults.AutomaticPatience, history.Epochs.Count);
        Assert.All(history.Epochs, e => Assert.Equal(200, e.Epochs)); // the plan's cap
        double best = history.Epochs.Min(e => e.ValidationLoss!.Value);
        Assert.Equal(best, history.Epochs[history.BestEpoch - 1].ValidationLoss!.Value);
        Assert.True(history.Epochs[^1].ValidationLoss > best);

        // 10% of 300 rows were held out, and the PCA yardstick was measured on them with the kept (best) weights.
        Assert.NotNull(history.Pca);
        Assert.Equal(30, history.Pca!.Rows);
        Assert.Equal(64, history.Pca.Components);
        Assert.Equal(best, history.Pca.AutoencoderMeanSquaredError, 6);
        lock (messages)
        {
            Assert.Contains(messages, m => m.Contains("Automatic budget", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("validation rows the autoencoder's MSE", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ExplicitEpochsTrainExactlyThatManyWithoutValidation()
    {
        var ml = new MLContext(seed: 0);
        using var model = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 3 }).Fit(Mnist.TrainView(ml, 500));
        Assert.Equal(3, model.History.Epochs.Count);
        Assert.Equal("training", model.History.MonitoredLoss);
        Assert.False(model.History.StoppedEarly);
        Assert.All(model.History.Epochs, e => Assert.Null(e.ValidationLoss));
        Assert.Null(model.History.Pca); // no validation rows: nothing to measure PCA on
    }

    [Fact]
    public void TooFewRowsForTheAutomaticHoldOutTrainWithoutValidation()
    {
        var ml = new MLContext(seed: 0);
        // 50 rows: 10% would be 5 validation rows, below the automatic minimum of 10, in memory and streamed alike.
        foreach (long maxInMemoryBytes in new[] { TrainingOptions.Defaults.MaxInMemoryBytes, 0L })
        {
            var training = new TrainingOptions { MaxEpochs = 3, MaxInMemoryBytes = maxInMemoryBytes };
            using var model = new AutoencoderTrainer(ml, Small(), training).Fit(Mnist.TrainView(ml, 50));
            Assert.Equal("training", model.History.MonitoredLoss);
            Assert.Equal(3, model.History.Epochs.Count);
        }
    }

    [Fact]
    public void PcaComparisonMatchesAnIndependentMeasurementAndSaysWhenPcaWins()
    {
        var ml = new MLContext(seed: 0);
        var train = Mnist.TrainView(ml, 1000);
        var validation = Mnist.TestView(ml, 300);
        var messages = new List<(ChannelMessageKind Kind, string Text)>();
        ml.Log += (_, e) =>
        {
            lock (messages)
            {
                messages.Add((e.Kind, e.Message));
            }
        };

        // One epoch at a tiny learning rate: the autoencoder is far from PCA's error, and the log says so.
        var barely = new TrainingOptions { Epochs = 1, LearningRate = 1e-5 };
        using var model = new AutoencoderTrainer(ml, Small(), barely).Fit(train, validationData: validation);
        var pca = model.History.Pca!;
        Assert.Equal((16, 300L), (pca.Components, pca.Rows));
        Assert.Equal(PrincipalComponents.Fit(train, 16).MeanSquaredError(validation), pca.PcaMeanSquaredError, 8);
        Assert.Equal(model.Evaluate(validation).MeanSquaredError, pca.AutoencoderMeanSquaredError, 6);
        Assert.False(pca.AutoencoderBeatsPca);
        Assert.True(pca.Ratio > 1);
        Assert.Contains("does NOT beat PCA with 16 components", pca.ToString());
        lock (messages)
        {
            Assert.Contains(messages, m => m.Kind == ChannelMessageKind.Warning && m.Text.Contains("does NOT beat PCA", StringComparison.Ordinal));
        }

        // Switched off: not measured.
        using var off = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 1, CompareWithPca = false }).Fit(train, validationData: validation);
        Assert.Null(off.History.Pca);
    }

    [Theory]
    [InlineData(7)] // 4×4 average pooling: 49 values a row
    [InlineData(14)] // 2×2 average pooling: 196 values a row
    public void DefaultSettingsBeatPcaOnDigitsOfAnotherShape(int side)
    {
        var ml = new MLContext(seed: 0);
        var rows = Mnist.Train(2000).Select(r => Pool(r, 28 / side)).ToArray();
        var model = new AutoencoderOptions { LatentSize = 8 }; // everything else default: hidden layers 512 and 128, ReLU, MSE
        using var trained = new AutoencoderTrainer(ml, model).Fit(Vectors.ToDataView(ml, rows));
        var pca = trained.History.Pca!;
        output.WriteLine($"{side}x{side}: {trained.History.Epochs.Count} epochs (best {trained.History.BestEpoch}), {trained.History.Epochs[^1].Elapsed.TotalSeconds:F0} s. {pca}");
        Assert.True(pca.AutoencoderBeatsPca, pca.ToString());
    }

    /// <summary>Average pooling of a 28×28 image by <paramref name="k"/>×<paramref name="k"/> blocks.</summary>
    private static float[] Pool(float[] image, int k)
    {
        int side = 28 / k;
        var pooled = new float[side * side];
        for (int y = 0; y < 28; y++)
        {
            for (int x = 0; x < 28; x++)
            {
                pooled[((y / k) * side) + (x / k)] += image[(y * 28) + x] / (k * k);
            }
        }

        return pooled;
    }
}

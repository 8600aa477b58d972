using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using TorchSharp;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>The training loop on real MNIST slices.</summary>
public sealed class TrainerTests
{
    private static AutoencoderOptions Small(ReconstructionLoss loss = ReconstructionLoss.MeanSquaredError) =>
        new() { HiddenSizes = new[] { 64 }, LatentSize = 16, Loss = loss };

    [Theory]
    [InlineData(ReconstructionLoss.MeanSquaredError, OptimizerKind.Adam)]
    [InlineData(ReconstructionLoss.BinaryCrossEntropy, OptimizerKind.AdamW)]
    [InlineData(ReconstructionLoss.MeanSquaredError, OptimizerKind.Sgd)]
    public void LossDecreasesOnMnist(ReconstructionLoss loss, OptimizerKind optimizer)
    {
        var ml = new MLContext(seed: 0);
        var training = new TrainingOptions { Epochs = 5, BatchSize = 32, Optimizer = optimizer, LearningRate = optimizer == OptimizerKind.Sgd ? 0.05 : 1e-3 };
        using var model = new AutoencoderTrainer(ml, Small(loss), training).Fit(Mnist.TrainView(ml, 2000));
        var losses = model.History.Epochs.Select(e => e.TrainingLoss).ToArray();
        Assert.Equal(5, losses.Length);
        Assert.True(losses[^1] < losses[0] * 0.8, $"loss {string.Join(", ", losses)} did not fall by 20%");
        for (int i = 1; i < losses.Length; i++)
        {
            Assert.True(losses[i] < losses[i - 1], $"loss rose at epoch {i + 1}: {string.Join(", ", losses)}");
        }
    }

    [Fact]
    public void DeepAutoencoderBeatsShallowOneAndGeneralises()
    {
        var ml = new MLContext(seed: 0);
        var training = new TrainingOptions { Epochs = 8 };
        using var model = new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 256, 64 }, LatentSize = 16 }, training)
            .Fit(Mnist.TrainView(ml, 4000));
        var test = model.Evaluate(Mnist.TestView(ml, 1000));
        // Predicting the mean image scores ~0.067 per pixel on MNIST; a trained 16-d code must do far better.
        Assert.InRange(test.MeanSquaredError, 0.0, 0.04);
        Assert.Equal(1000, test.Rows);
        Assert.Equal(test.MeanSquaredError * 784, test.SquaredErrorPerRow, 6);
    }

    [Theory]
    [InlineData(Activation.ReLU)]
    [InlineData(Activation.LeakyReLU)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.ELU)]
    [InlineData(Activation.GELU)]
    [InlineData(Activation.None)]
    public void EveryHiddenActivationTrains(Activation activation)
    {
        var ml = new MLContext(seed: 0);
        var options = new AutoencoderOptions { HiddenSizes = new[] { 64 }, LatentSize = 8, HiddenActivation = activation, Dropout = 0.1f };
        using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 3 }).Fit(Mnist.TrainView(ml, 1000));
        Assert.True(model.History.Epochs[^1].TrainingLoss < model.History.Epochs[0].TrainingLoss);
    }

    [Fact]
    public void SameSeedGivesIdenticalWeightsAndDifferentSeedDoesNot()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 1000);
        float[] Train(int seed)
        {
            var options = Small();
            options.Dropout = 0.2f; // dropout masks come from the seed too
            using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 2, Seed = seed, ValidationFraction = 0.1 }).Fit(data);
            return model.Network.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
        }

        float[] a = Train(7);
        float[] b = Train(7);
        float[] c = Train(8);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpoch()
    {
        var ml = new MLContext(seed: 0);
        // A tiny training set and a separate validation set: the network overfits, validation loss turns up.
        var train = Mnist.TrainView(ml, 200);
        var validation = Mnist.TestView(ml, 500);
        var options = new AutoencoderOptions { HiddenSizes = new[] { 512 }, LatentSize = 64 };
        var training = new TrainingOptions { Epochs = 200, BatchSize = 32, LearningRate = 3e-3, EarlyStoppingPatience = 3 };
        using var model = new AutoencoderTrainer(ml, options, training).Fit(train, validationData: validation);
        var history = model.History;
        Assert.True(history.StoppedEarly, "expected the run to stop early");
        Assert.Equal("validation", history.MonitoredLoss);
        Assert.Equal(history.BestEpoch + 3, history.Epochs.Count);
        double bestValidation = history.Epochs.Min(e => e.ValidationLoss!.Value);
        Assert.Equal(bestValidation, history.Epochs[history.BestEpoch - 1].ValidationLoss!.Value);
        Assert.True(history.Epochs[^1].ValidationLoss > bestValidation);

        // The weights are those of the best epoch: re-evaluating gives the best validation loss, not the last.
        double now = model.Evaluate(validation).MeanSquaredError;
        Assert.Equal(bestValidation, now, 5);
    }

    [Fact]
    public void ValidationFractionHoldsOutRowsAndReportsTheirLoss()
    {
        var ml = new MLContext(seed: 0);
        var reports = new List<EpochReport>();
        using var model = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 2, ValidationFraction = 0.25 })
            .Fit(Mnist.TrainView(ml, 1000), progress: new SynchronousProgress<EpochReport>(reports.Add));
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.NotNull(r.ValidationLoss));
        Assert.All(reports, r => Assert.True(r.SamplesPerSecond > 0));
        Assert.Equal(reports[0].TrainingLoss, reports[0].TrainingLossParts["reconstruction"]);
        Assert.Equal(new[] { 1, 2 }, reports.Select(r => r.Epoch));
    }

    [Fact]
    public void ReduceOnPlateauLowersTheLearningRate()
    {
        var ml = new MLContext(seed: 0);
        var training = new TrainingOptions
        {
            Epochs = 6, LearningRate = 0.5, Optimizer = OptimizerKind.Sgd, Momentum = 0,
            ReduceOnPlateau = new PlateauSchedule { Patience = 0, Factor = 0.1, Threshold = 10 },
        };
        using var model = new AutoencoderTrainer(ml, Small(), training).Fit(Mnist.TrainView(ml, 500));
        // Threshold 10 means "never an improvement" after the first epoch: the rate falls every epoch.
        var rates = model.History.Epochs.Select(e => e.LearningRate).ToArray();
        Assert.Equal(0.5, rates[0]);
        Assert.True(rates[^1] < 0.5 * 0.01, string.Join(", ", rates));
    }

    [Fact]
    public void CosineScheduleWarmsUpThenAnnealsToTheMinimum()
    {
        var plain = new CosineSchedule();
        Assert.Equal(1e-3, plain.RateAt(1e-3, 0), 12);
        Assert.Equal(0.5e-3, plain.RateAt(1e-3, 0.5), 12);
        Assert.Equal(0, plain.RateAt(1e-3, 1), 12);

        var warm = new CosineSchedule { WarmupFraction = 0.2, MinLearningRate = 1e-4 };
        Assert.Equal(0.5e-3, warm.RateAt(1e-3, 0.1), 12);
        Assert.Equal(1e-3, warm.RateAt(1e-3, 0.2), 12);
        Assert.Equal(0.55e-3, warm.RateAt(1e-3, 0.6), 12); // halfway through the cosine part: midway between max and min
        Assert.Equal(1e-4, warm.RateAt(1e-3, 1), 12);
    }

    [Fact]
    public void CosineAnnealingLowersTheRateEveryEpochAndEndsNearTheMinimum()
    {
        var ml = new MLContext(seed: 0);
        var schedule = new CosineSchedule { MinLearningRate = 1e-5 };
        var training = new TrainingOptions { Epochs = 5, BatchSize = 100, LearningRate = 1e-2, CosineAnnealing = schedule };
        using var model = new AutoencoderTrainer(ml, Small(), training).Fit(Mnist.TrainView(ml, 1000));
        // Each report carries the rate of the epoch's last batch: batch 10 of 10 starts at (e − 1 + 0.9) / 5 of the run.
        var rates = model.History.Epochs.Select(e => e.LearningRate).ToArray();
        for (int epoch = 1; epoch <= 5; epoch++)
        {
            Assert.Equal(schedule.RateAt(1e-2, (epoch - 1 + 0.9) / 5), rates[epoch - 1], 12);
        }

        Assert.True(rates[^1] < 1e-4, string.Join(", ", rates));
        Assert.True(model.History.Epochs[^1].TrainingLoss < model.History.Epochs[0].TrainingLoss);
    }

    [Fact]
    public void CancellationStopsCleanlyAndFreesNativeMemory()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 2000);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress<EpochReport>(r =>
        {
            if (r.Epoch == 2)
            {
                cancel.Cancel();
            }
        });
        var trainer = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 50, EarlyStoppingPatience = 5 });
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(data, progress: progress, cancellationToken: cancel.Token));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void NativeMemoryStaysFlatOverManyEpochs()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 1000);
        long Live(int epochs)
        {
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = epochs, BatchSize = 50, ValidationFraction = 0.1, EarlyStoppingPatience = 100 })
                .Fit(data))
            {
            }

            return DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        }

        // 2 epochs vs 30 epochs (~540 batches): the number of live tensors left behind must not grow with the batches.
        long shortRun = Live(2);
        long longRun = Live(30);
        Assert.Equal(shortRun, longRun);
        Assert.Equal(0, longRun);
    }

    [Fact]
    public void StreamingGivesTheSameModelQualityAsInMemory()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 2000);
        var test = Mnist.TestView(ml, 500);
        double Train(long maxInMemoryBytes)
        {
            var training = new TrainingOptions { Epochs = 4, MaxInMemoryBytes = maxInMemoryBytes, StreamingShuffleWindow = 512 };
            using var model = new AutoencoderTrainer(ml, Small(), training).Fit(data);
            return model.Evaluate(test).MeanSquaredError;
        }

        double inMemory = Train(TrainingOptions.Defaults.MaxInMemoryBytes);
        double streamed = Train(0);
        Assert.InRange(streamed / inMemory, 0.9, 1.1);
    }

    [Fact]
    public void StreamingSplitsValidationDeterministically()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 1000);
        var training = new TrainingOptions { Epochs = 2, MaxInMemoryBytes = 0, ValidationFraction = 0.2, Seed = 3 };
        using var a = new AutoencoderTrainer(ml, Small(), training).Fit(data);
        using var b = new AutoencoderTrainer(ml, Small(), training).Fit(data);
        Assert.Equal(a.History.Epochs.Select(e => e.ValidationLoss), b.History.Epochs.Select(e => e.ValidationLoss));
        Assert.All(a.History.Epochs, e => Assert.NotNull(e.ValidationLoss));
    }

    [Fact]
    public void DivergingLossStopsAtOnceWithAdvice()
    {
        var ml = new MLContext(seed: 0);
        var rows = Mnist.Train(500).Select(r => r.Select(v => v * 1e18f).ToArray()).ToArray();
        var training = new TrainingOptions { Epochs = 5, Optimizer = OptimizerKind.Sgd, LearningRate = 10 };
        var e = Assert.Throws<TrainingDivergedException>(() => new AutoencoderTrainer(ml, Small(), training).Fit(Vectors.ToDataView(ml, rows)));
        Assert.Equal(1, e.Epoch);
        Assert.Contains("lower LearningRate", e.Message);
        Assert.Contains("scale the inputs", e.Message);
    }

    [Fact]
    public void TrainingContinuesFromSavedWeights()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 2000);
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"continue-{Guid.NewGuid():N}.zip");
        try
        {
            using (var first = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 4 }).Fit(data))
            {
                first.Save(path);
            }

            using var loaded = AutoencoderModel.Load(path);
            double before = loaded.Evaluate(data).MeanSquaredError;
            using var continued = new AutoencoderTrainer(ml, null, new TrainingOptions { Epochs = 2, LearningRate = 5e-4 }).Continue(loaded, data);
            using var fresh = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 2 }).Fit(data);

            // The continued run starts where the saved one stopped, far below a fresh start, and improves on it.
            Assert.True(continued.History.Epochs[0].TrainingLoss < fresh.History.Epochs[0].TrainingLoss * 0.8);
            Assert.True(continued.Evaluate(data).MeanSquaredError < before);
            Assert.Equal(before, loaded.Evaluate(data).MeanSquaredError); // the loaded model is untouched
            Assert.Equal(loaded.Spec.ToString(), continued.Spec.ToString());
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void ProgressReachesMlContextLog()
    {
        var ml = new MLContext(seed: 0);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
            {
                messages.Add(e.Message);
            }
        };
        using var model = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 2 }).Fit(Mnist.TrainView(ml, 300));
        lock (messages)
        {
            Assert.Contains(messages, m => m.Contains("Training 784-64-16-64-784", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("epoch 2/2", StringComparison.Ordinal));
        }
    }

    /// <summary>IProgress that runs the callback inline (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress<T> : IProgress<T>
    {
        private readonly Action<T> report;

        public SynchronousProgress(Action<T> report) => this.report = report;

        public void Report(T value) => report(value);
    }
}

using System;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Xunit;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>Learning-rate schedules: the built-in ones on TorchSharp's lr_scheduler, and one a user passes.</summary>
public sealed class LearningRateScheduleTests
{
    private static AutoencoderOptions Small() => new() { HiddenSizes = new[] { 64 }, LatentSize = 16 };

    [Fact]
    public void CosineWithWarmupSetsTheRateOfEveryBatchFromRateAt()
    {
        var ml = new MLContext(seed: 0);
        var schedule = new CosineSchedule { WarmupFraction = 0.5, MinLearningRate = 1e-5 };
        var training = new TrainingOptions { Epochs = 4, BatchSize = 100, LearningRate = 1e-2, CosineAnnealing = schedule };
        using var model = new AutoencoderTrainer(ml, Small(), training).Fit(Mnist.TrainView(ml, 1000));
        // 10 batches an epoch: the report carries the rate of batch 10, which starts at (e − 1 + 0.9) / 4 of the run.
        var rates = model.History.Epochs.Select(e => e.LearningRate).ToArray();
        for (int epoch = 1; epoch <= 4; epoch++)
        {
            Assert.Equal(schedule.RateAt(1e-2, (epoch - 1 + 0.9) / 4), rates[epoch - 1], 12);
        }

        // The warm-up takes the first 20 of 40 batches: the rate rises through epochs 1 and 2, then falls.
        Assert.True(rates[0] < rates[1] && rates[1] > rates[2] && rates[2] > rates[3], string.Join(", ", rates));
    }

    [Fact]
    public void AUsersSchedulePerEpochGetsThePlanAndSetsTheRate()
    {
        var ml = new MLContext(seed: 0);
        var decay = new Decay(stepsEveryBatch: false);
        var training = new TrainingOptions { Epochs = 3, BatchSize = 100, LearningRate = 1e-3, LearningRateSchedule = decay };
        using var model = new AutoencoderTrainer(ml, Small(), training).Fit(Mnist.TrainView(ml, 1000));
        Assert.Equal(new TrainingPlan(3, 10, 1e-3, Automatic: false), decay.Plan);
        var rates = model.History.Epochs.Select(e => e.LearningRate).ToArray();
        Assert.Equal(1e-3, rates[0], 15);
        Assert.Equal(5e-4, rates[1], 15);
        Assert.Equal(2.5e-4, rates[2], 15);
    }

    [Fact]
    public void AUsersSchedulePerBatchIsSteppedAfterEveryOptimizerStep()
    {
        var ml = new MLContext(seed: 0);
        // StepLR every 10 steps with 10 batches an epoch: each epoch runs at a tenth of the previous one's rate.
        var training = new TrainingOptions { Epochs = 3, BatchSize = 100, LearningRate = 1e-3, LearningRateSchedule = new TenthEvery10Steps() };
        using var model = new AutoencoderTrainer(ml, Small(), training).Fit(Mnist.TrainView(ml, 1000));
        var rates = model.History.Epochs.Select(e => e.LearningRate).ToArray();
        Assert.Equal(1e-3, rates[0], 15);
        Assert.Equal(1e-4, rates[1], 15);
        Assert.Equal(1e-5, rates[2], 15);
    }

    [Fact]
    public void ScheduleOptionsThatCannotWorkFailWhenTheTrainerIsCreated()
    {
        var ml = new MLContext(seed: 0);
        var two = Assert.Throws<ArgumentException>(() =>
            new AutoencoderTrainer(ml, null, new TrainingOptions { Epochs = 2, LearningRateSchedule = new Decay(false), ReduceOnPlateau = new PlateauSchedule() }));
        Assert.Equal("LearningRateSchedule", two.ParamName);

        // A cosine spans a known number of epochs; the automatic budget's length is not known in advance.
        var cosine = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(ml, null, new TrainingOptions { CosineAnnealing = new CosineSchedule() }));
        Assert.Equal("CosineAnnealing", cosine.ParamName);
        Assert.Contains("Set Epochs", cosine.Message);

        // Likewise the KL warm-up of a VAE, a fraction of the run.
        var warmup = Assert.Throws<ArgumentException>(() =>
            new AutoencoderTrainer(ml, new VariationalAutoencoderOptions { KlWarmupFraction = 0.1 }, new TrainingOptions()));
        Assert.Equal("Epochs", warmup.ParamName);
        Assert.Contains("KlWarmupFraction", warmup.Message);
        _ = new AutoencoderTrainer(ml, new VariationalAutoencoderOptions { KlWarmupFraction = 0.1 }, new TrainingOptions { Epochs = 5 });
    }

    /// <summary>Halves the rate after every epoch (TorchSharp's ExponentialLR) and keeps the plan it was given.</summary>
    private sealed class Decay : ILearningRateSchedule
    {
        public Decay(bool stepsEveryBatch) => StepsEveryBatch = stepsEveryBatch;

        public bool StepsEveryBatch { get; }

        public TrainingPlan? Plan { get; private set; }

        public optim.lr_scheduler.LRScheduler Create(optim.Optimizer optimizer, TrainingPlan plan)
        {
            Plan = plan;
            return optim.lr_scheduler.ExponentialLR(optimizer, gamma: 0.5);
        }
    }

    /// <summary>TorchSharp's StepLR, stepped after every batch.</summary>
    private sealed class TenthEvery10Steps : ILearningRateSchedule
    {
        public bool StepsEveryBatch => true;

        public optim.lr_scheduler.LRScheduler Create(optim.Optimizer optimizer, TrainingPlan plan) =>
            optim.lr_scheduler.StepLR(optimizer, step_size: 10, gamma: 0.1);
    }
}

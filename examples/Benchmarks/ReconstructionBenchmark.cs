using System;
using System.Diagnostics;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Baselines;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;

namespace Autoencoders.ML.Examples;

/// <summary>
/// Hinton &amp; Salakhutdinov (2006), MNIST: a 784-1000-500-250-30 autoencoder; test squared error per image (summed
/// over the 784 pixels). Published: autoencoder 3.00, logistic PCA 8.01, PCA 13.87. Ours, PCA-30 and a linear AE-30
/// are measured in the same run.
/// </summary>
internal static class ReconstructionBenchmark
{
    public sealed record Result(double Autoencoder, double Pca, double LinearAutoencoder, int Epochs, double TrainSeconds, double BestValidation);

    public static Result Run(MLContext ml, IDataView train, IDataView test, int epochs, IProgress<EpochReport>? progress)
    {
        var clock = Stopwatch.StartNew();
        var deep = new AutoencoderTrainer(
            ml,
            new DenseAutoencoderOptions
            {
                HiddenSizes = new[] { 1000, 500, 250 },
                LatentSize = 30,
                HiddenActivation = Activation.ReLU,
                Loss = ReconstructionLoss.BinaryCrossEntropy, // Hinton's cross-entropy with logistic output units
            },
            new TrainingOptions
            {
                Epochs = epochs,
                BatchSize = 128,
                LearningRate = 1e-3,
                ValidationFraction = 1.0 / 12,
                ReduceOnPlateau = new PlateauSchedule { Patience = 2, Factor = 0.5 },
                EarlyStoppingPatience = 6,
            });
        using var model = deep.Fit(train, progress: progress);
        double seconds = clock.Elapsed.TotalSeconds;
        double ours = model.Evaluate(test).SquaredErrorPerRow;

        double pca = PrincipalComponents.Fit(train, 30).MeanSquaredError(test) * 784;
        var linear = new AutoencoderTrainer(
            ml,
            new DenseAutoencoderOptions { HiddenSizes = Array.Empty<int>(), LatentSize = 30, HiddenActivation = Activation.None },
            new TrainingOptions { Epochs = Math.Max(3, epochs / 3), BatchSize = 128, LearningRate = 3e-3, ReduceOnPlateau = new PlateauSchedule { Patience = 1 } });
        using var linearModel = linear.Fit(train);
        double linearError = linearModel.Evaluate(test).SquaredErrorPerRow;
        return new Result(ours, pca, linearError, model.History.Epochs.Count, seconds, model.History.Epochs[model.History.BestEpoch - 1].ValidationLoss ?? double.NaN);
    }
}

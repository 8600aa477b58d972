using System;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;

namespace Autoencoders.ML.Tests;

/// <summary>One small Bernoulli VAE (784-256-8) trained once on 3,000 MNIST images, shared by the VAE tests.</summary>
public sealed class TrainedVaeFixture : IDisposable
{
    public const int Latent = 8;

    public TrainedVaeFixture()
    {
        Ml = new MLContext(seed: 0);
        Options = new VariationalAutoencoderOptions
        {
            HiddenSizes = new[] { 256 },
            LatentSize = Latent,
            Loss = ReconstructionLoss.BinaryCrossEntropy,
        };
        var trainer = new AutoencoderTrainer(Ml, Options, new TrainingOptions { Epochs = 6, BatchSize = 128, Seed = 1 });
        Model = trainer.Fit(Mnist.TrainView(Ml, 3000));
    }

    public MLContext Ml { get; }

    public VariationalAutoencoderOptions Options { get; }

    public AutoencoderModel Model { get; }

    public void Dispose() => Model.Dispose();
}

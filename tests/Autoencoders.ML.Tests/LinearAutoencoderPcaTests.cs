using System;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Plain;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>"A linear autoencoder with MSE learns PCA": measured against an independent eigendecomposition.</summary>
public sealed class LinearAutoencoderPcaTests
{
    private const int Rows = 3000;
    private const int Rank = 8;
    private readonly ITestOutputHelper output;

    public LinearAutoencoderPcaTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void LinearAutoencoderMatchesPcaErrorAndSubspace()
    {
        var ml = new MLContext(seed: 0);
        float[][] rows = Mnist.Train(Rows);
        var trainer = new AutoencoderTrainer(
            ml,
            new AutoencoderOptions { HiddenSizes = Array.Empty<int>(), LatentSize = Rank, HiddenActivation = Activation.None },
            new TrainingOptions
            {
                Epochs = 120, BatchSize = 64, LearningRate = 3e-3, Seed = 1,
                ReduceOnPlateau = new PlateauSchedule { Patience = 3, Factor = 0.5 },
            });
        using var model = trainer.Fit(Vectors.ToDataView(ml, rows));
        double autoencoderMse = model.Evaluate(Vectors.ToDataView(ml, rows)).MeanSquaredError;

        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(rows.SelectMany(r => r).Select(v => (double)v).ToArray(), new long[] { Rows, 784 });
        var centered = x - x.mean(new long[] { 0 }, keepdim: true);
        var covariance = centered.T.matmul(centered) / Rows;
        var (eigenvalues, eigenvectors) = torch.linalg.eigh(covariance); // ascending
        double pcaMse = eigenvalues.narrow(0, 0, 784 - Rank).sum().ToDouble() / 784;
        var principal = eigenvectors.narrow(1, 784 - Rank, Rank); // (784, k), orthonormal

        // Principal angles between the decoder's column space and the top-k principal subspace.
        var decoder = ((AutoencoderNetwork)model.Network).DecoderLayer(0).weight!.detach().to_type(ScalarType.Float64); // (784, k)
        var (q, _) = torch.linalg.qr(decoder);
        var cosines = torch.linalg.svdvals(principal.T.matmul(q));
        double smallestCosine = cosines.min().ToDouble();
        output.WriteLine($"AE MSE {autoencoderMse:G6}, PCA MSE {pcaMse:G6}, ratio {autoencoderMse / pcaMse:F4}, smallest cos {smallestCosine:F4}, epochs {model.History.Epochs.Count}");

        Assert.InRange(autoencoderMse / pcaMse, 0.98, 1.02);
        Assert.True(smallestCosine > 0.95, $"smallest principal cosine {smallestCosine}");
    }
}

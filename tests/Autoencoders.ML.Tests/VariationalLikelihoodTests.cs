using System;
using System.Linq;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>The ELBO and the IWAE estimate against log p(x) computed by quadrature over a 2-d latent space.</summary>
public sealed class VariationalLikelihoodTests
{
    private readonly ITestOutputHelper output;

    public VariationalLikelihoodTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void ImportanceWeightedEstimateConvergesToTheExactLogLikelihood()
    {
        var ml = new MLContext(seed: 0);
        var options = new VariationalAutoencoderOptions { HiddenSizes = new[] { 128 }, LatentSize = 2, Loss = ReconstructionLoss.BinaryCrossEntropy };
        using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 4, BatchSize = 64, Seed = 4 }).Fit(Mnist.TrainView(ml, 2000));
        // Binary rows make the Bernoulli likelihood a true probability.
        float[][] rows = Mnist.Test(6).Select(r => r.Select(v => v > 0.5f ? 1f : 0f).ToArray()).ToArray();
        var data = Vectors.ToDataView(ml, rows);

        double exact = -rows.Average(r => ExactLogLikelihood((VariationalAutoencoderNetwork)model.Network, r));
        var k1 = model.EstimateLikelihood(data, importanceSamples: 1, seed: 1);
        var k50 = model.EstimateLikelihood(data, importanceSamples: 50, seed: 1);
        var k5000 = model.EstimateLikelihood(data, importanceSamples: 5000, seed: 1);
        output.WriteLine($"−log p(x) by quadrature {exact:F3} nats; IWAE k=1 {k1.NegativeLogLikelihood:F3}, k=50 {k50.NegativeLogLikelihood:F3}, k=5000 {k5000.NegativeLogLikelihood:F3}");
        output.WriteLine($"ELBO (k=5000 draws) {k5000.Elbo:F3} = −({k5000.Reconstruction:F3} + KL {k5000.Kl:F3})");

        Assert.Equal(6, k5000.Rows);
        Assert.Equal(-(k5000.Reconstruction + k5000.Kl), k5000.Elbo, 9);
        // Bounds in order: −ELBO ≥ IWAE_50 ≥ IWAE_5000 ≈ −log p(x).
        Assert.True(-k5000.Elbo > k50.NegativeLogLikelihood);
        Assert.True(k50.NegativeLogLikelihood > k5000.NegativeLogLikelihood - 0.05);
        Assert.InRange(k5000.NegativeLogLikelihood - exact, -0.1, 0.3);
        // With one draw the IWAE estimate is a one-sample estimate of −ELBO.
        Assert.InRange(k1.NegativeLogLikelihood, -k5000.Elbo - 3, -k5000.Elbo + 3);
    }

    /// <summary>log ∫ p(x|z)·N(z; 0, I) dz on a 0.04-spaced grid over [−6, 6]² (90,601 points), in float64 sums.</summary>
    private static double ExactLogLikelihood(VariationalAutoencoderNetwork network, float[] row)
    {
        const double Step = 0.04;
        const int Points = 301;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var axis = torch.linspace(-6, 6, Points);
        var grid = torch.stack(torch.meshgrid(new[] { axis, axis }, indexing: "ij"), 2).reshape(Points * Points, 2);
        var x = torch.tensor(row).unsqueeze(0);
        var logTerms = torch.empty(Points * Points, ScalarType.Float64);
        const int Chunk = 20_000;
        for (long start = 0; start < Points * Points; start += Chunk)
        {
            long n = Math.Min(Chunk, (Points * Points) - start);
            var z = grid.narrow(0, start, n);
            var logits = network.DecodeLogits(z);
            var logPx = -VariationalMath.ReconstructionPerRow(logits, x.expand(n, 784), ReconstructionLoss.BinaryCrossEntropy, network.Spec.OutputActivation);
            logTerms.narrow(0, start, n).copy_(logPx.to_type(ScalarType.Float64) + VariationalMath.LogStandardNormal(z).to_type(ScalarType.Float64));
        }

        return torch.logsumexp(logTerms, 0).ToDouble() + (2 * Math.Log(Step));
    }
}

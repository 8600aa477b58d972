using System;
using System.Linq;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Training;
using Microsoft.ML;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>The IWAE training objective (<see cref="VariationalAutoencoderOptions.ImportanceSamples"/>).</summary>
public sealed class ImportanceWeightedTrainingTests : IClassFixture<TrainedVaeFixture>
{
    private readonly TrainedVaeFixture fixture;
    private readonly ITestOutputHelper output;

    public ImportanceWeightedTrainingTests(TrainedVaeFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
    }

    [Fact]
    public void OneSampleIsTheElbo()
    {
        var network = (VariationalAutoencoderNetwork)fixture.Model.Network;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // 400 rows, each drawn 100 times: 40,000 one-sample objectives.
        var x = Binary(400).repeat_interleave(100, 0);
        var (mean, logVariance) = network.Posterior(x);
        using var generator = new torch.Generator(3);
        var epsilon = torch.randn(new[] { x.shape[0], 1, mean.shape[1] }, generator: generator);
        var iwae = network.ImportanceWeightedObjective(mean, logVariance, epsilon, x, ReconstructionLoss.BinaryCrossEntropy, klWeight: 1);

        // The ELBO on the same draws: the same reconstruction term, the KL in closed form.
        var z = VariationalMath.Reparameterize(mean, logVariance, epsilon.squeeze(1));
        double reconstruction = VariationalMath.ReconstructionPerRow(network.DecodeLogits(z), x, ReconstructionLoss.BinaryCrossEntropy, network.Spec.OutputActivation).mean().ToDouble();
        double kl = VariationalMath.KlToStandardNormal(mean, logVariance).mean().ToDouble();
        double elbo = -(reconstruction + kl);
        output.WriteLine($"k = 1 objective {iwae.Total.ToDouble():F3}, −ELBO {-elbo:F3} (reconstruction {reconstruction:F3}, KL {kl:F3} closed form, {iwae.Parts[VariationalAutoencoderNetwork.KlPart].ToDouble():F3} sampled)");
        Assert.Equal(reconstruction, iwae.Parts["reconstruction"].ToDouble(), 3);
        Assert.InRange(iwae.Total.ToDouble() + elbo, -0.15, 0.15);
        Assert.InRange(iwae.Parts[VariationalAutoencoderNetwork.KlPart].ToDouble() - kl, -0.15, 0.15);
    }

    [Fact]
    public void BoundTightensWithMoreSamplesOnATrainedModel()
    {
        var network = (VariationalAutoencoderNetwork)fixture.Model.Network;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = Binary(500);
        var (mean, logVariance) = network.Posterior(x);
        using var generator = new torch.Generator(5);
        double Bound(int k) => -network.ImportanceWeightedObjective(
            mean, logVariance, torch.randn(new[] { x.shape[0], k, mean.shape[1] }, generator: generator), x, ReconstructionLoss.BinaryCrossEntropy, 1).Total.ToDouble();
        double k1 = Bound(1), k5 = Bound(5), k50 = Bound(50);
        output.WriteLine($"bound on log p(x): k = 1 {k1:F3}, k = 5 {k5:F3}, k = 50 {k50:F3} nats");
        Assert.True(k1 < k5 && k5 < k50, $"k=1 {k1}, k=5 {k5}, k=50 {k50}");
    }

    [Fact]
    public void IwaeTrainsThroughTheTrainerAndIsSeeded()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 600);
        float[] Train(int k)
        {
            var options = new VariationalAutoencoderOptions { HiddenSizes = new[] { 64 }, LatentSize = 4, Loss = ReconstructionLoss.BinaryCrossEntropy, ImportanceSamples = k };
            using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 2, BatchSize = 64, Seed = 2 }).Fit(data);
            Assert.All(model.History.Epochs, e => Assert.True(double.IsFinite(e.TrainingLoss)));
            Assert.Equal(k, ((VariationalAutoencoderOptions)model.Options).ImportanceSamples);
            return model.Network.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
        }

        float[] a = Train(5);
        Assert.Equal(a, Train(5));
        Assert.NotEqual(a, Train(1));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new VariationalAutoencoderOptions { ImportanceSamples = 0 });
        Assert.Equal(nameof(VariationalAutoencoderOptions.ImportanceSamples), error.ParamName);
    }

    private static Tensor Binary(int rows) =>
        torch.tensor(Mnist.Test(rows).SelectMany(r => r.Select(v => v > 0.5f ? 1f : 0f)).ToArray()).reshape(rows, 784);
}

using System;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Autoencoders.ML.Training.Optimizers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>
/// A dense autoencoder's training step written without autograd (<c>AutoencoderModule.LossWithGradients</c>: the dense
/// layers' own forward and backward, the loss gradient in closed form) computes autograd's loss and gradients.
/// </summary>
public sealed class ManualBackwardTests
{
    [Theory]
    [InlineData(Activation.ReLU, ReconstructionLoss.MeanSquaredError, OutputActivation.Identity)]
    [InlineData(Activation.ReLU, ReconstructionLoss.MeanSquaredError, OutputActivation.Sigmoid)]
    [InlineData(Activation.ReLU, ReconstructionLoss.BinaryCrossEntropy, OutputActivation.Sigmoid)]
    [InlineData(Activation.LeakyReLU, ReconstructionLoss.MeanSquaredError, OutputActivation.Identity)]
    [InlineData(Activation.Tanh, ReconstructionLoss.BinaryCrossEntropy, OutputActivation.Sigmoid)]
    [InlineData(Activation.Sigmoid, ReconstructionLoss.MeanSquaredError, OutputActivation.Identity)]
    [InlineData(Activation.ELU, ReconstructionLoss.MeanSquaredError, OutputActivation.Sigmoid)]
    [InlineData(Activation.None, ReconstructionLoss.MeanSquaredError, OutputActivation.Identity)]
    public void GradientsEqualAutogradsToFloatRounding(Activation hidden, ReconstructionLoss loss, OutputActivation output)
    {
        var (value, manual, autograd) = BothWays(hidden, loss, output, latentActivation: Activation.Tanh, TrainingPrecision.Float32);
        Assert.InRange(Math.Abs(value.Manual - value.Autograd), 0, 1e-6 * Math.Abs(value.Autograd));
        for (int i = 0; i < manual.Length; i++)
        {
            double scale = autograd[i].abs().max().ToDouble();
            double difference = (manual[i] - autograd[i]).abs().max().ToDouble();
            Assert.True(scale > 0, $"parameter {i}: autograd's gradient is zero, the check would be empty");
            Assert.True(difference <= 1e-5 * scale, $"parameter {i}: largest gradient difference {difference:G3} of {scale:G3}");
        }
    }

    [Fact]
    public void BFloat16StepIsAutogradsBFloat16StepToItsRounding()
    {
        var (value, manual, autograd) = BothWays(Activation.ReLU, ReconstructionLoss.MeanSquaredError, OutputActivation.Identity, Activation.None, TrainingPrecision.BFloat16);
        Assert.InRange(Math.Abs(value.Manual - value.Autograd), 0, 2e-2 * Math.Abs(value.Autograd));
        for (int i = 0; i < manual.Length; i++)
        {
            Assert.Equal(ScalarType.Float32, manual[i].dtype);
            double scale = autograd[i].abs().max().ToDouble();
            double difference = (manual[i] - autograd[i]).abs().max().ToDouble();
            Assert.True(difference <= 5e-2 * scale, $"parameter {i}: largest gradient difference {difference:G3} of {scale:G3}");
        }
    }

    [Theory]
    [InlineData(Activation.GELU, 0f)]
    [InlineData(Activation.ReLU, 0.1f)]
    public void LayersWithoutAClosedFormBackwardTrainThroughAutograd(Activation hidden, float dropout)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var options = new AutoencoderOptions { HiddenSizes = new[] { 8 }, LatentSize = 3, HiddenActivation = hidden, Dropout = dropout };
        using var network = ModelKinds.CreateNetwork(options.BuildSpec(6), options);
        using var optimizer = new FusedAdam(network.parameters(), 1e-3, 0);
        network.train();
        var x = rand(4, 6);
        Assert.Null(network.LossWithGradients(x, x, ReconstructionLoss.MeanSquaredError));
    }

    private static ((double Manual, double Autograd) Value, Tensor[] Manual, Tensor[] Autograd) BothWays(
        Activation hidden, ReconstructionLoss loss, OutputActivation output, Activation latentActivation, TrainingPrecision precision)
    {
        TorchRuntime.EnsureInitialized();
        var options = new AutoencoderOptions
        {
            HiddenSizes = new[] { 24, 12 }, LatentSize = 5, HiddenActivation = hidden, LatentActivation = latentActivation, Loss = loss, OutputActivation = output,
        };
        manual_seed(7);
        using var network = ModelKinds.CreateNetwork(options.BuildSpec(20), options);
        using var optimizer = new FusedAdam(network.parameters(), 1e-3, 0); // the gradients live in its flat buffer, as in training
        network.train();
        using var generator = new Generator(5);
        var x = rand(new long[] { 33, 20 }, generator: generator).DetachFromDisposeScope();
        var target = rand(new long[] { 33, 20 }, generator: generator).DetachFromDisposeScope();
        double autogradValue, manualValue;
        Tensor[] autograd, manual;
        using (MatmulPrecision.Use(precision))
        {
            optimizer.zero_grad();
            using (var scope = NewDisposeScope())
            {
                var reference = network.Loss(x, target, loss, new TrainingProgress(1, 1, 1.0));
                autogradValue = reference.Total.ToDouble();
                reference.Total.backward();
            }

            autograd = network.parameters().Select(p => p.grad!.clone().DetachFromDisposeScope()).ToArray();
            using (var scope = NewDisposeScope())
            {
                var written = network.LossWithGradients(x, target, loss);
                Assert.NotNull(written);
                Assert.True(written!.GradientsWritten);
                manualValue = written.Total.ToDouble();
            }

            manual = network.parameters().Select(p => p.grad!.clone().DetachFromDisposeScope()).ToArray();
        }

        return ((manualValue, autogradValue), manual, autograd);
    }
}

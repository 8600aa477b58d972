using System;
using System.Linq;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>The fused (flat-buffer) optimizers compute what TorchSharp's own optimizers compute, step for step.</summary>
public sealed class FusedOptimizerTests
{
    [Theory]
    [InlineData(false, 0.0, 16)]
    [InlineData(false, 1e-3, 16)]
    [InlineData(true, 1e-2, 16)]
    // 20·4000 + 4000·8 + … = 116,188 values (> 65,536): the CPU kernel splits the buffer over threads.
    [InlineData(false, 1e-3, 4000)]
    [InlineData(true, 1e-2, 4000)]
    public void FusedAdamMatchesTorchSharpAdamOver100Steps(bool decoupled, double weightDecay, int width)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        using var reference = Network(seed: 3, width);
        using var fused = Network(seed: 3, width);
        using var torchAdam = decoupled
            ? (optim.Optimizer)optim.AdamW(reference.parameters(), 2e-3, weight_decay: weightDecay)
            : optim.Adam(reference.parameters(), 2e-3, weight_decay: weightDecay);
        using var fusedAdam = new FusedAdam(fused.parameters(), 2e-3, weightDecay, decoupled);
        var generator = new Generator(11);
        for (int step = 0; step < 100; step++)
        {
            using var stepScope = NewDisposeScope();
            var x = randn(new long[] { 32, 20 }, generator: generator);
            Step(reference, torchAdam, x);
            Step(fused, fusedAdam, x);
        }

        var expected = reference.parameters().Select(p => p.detach().flatten()).ToArray();
        var actual = fused.parameters().Select(p => p.detach().flatten()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        double largest = expected.Zip(actual, (e, a) => (e - a).abs().max().ToDouble()).Max();
        Assert.True(largest <= 1e-6, $"largest parameter difference after 100 steps: {largest:G3}");
        Assert.Equal(100, fusedAdam.Steps);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void AdamKernelComputesWhatTheTorchOperationsComputeOnAnOddSizedBuffer(bool decoupled, int threads)
    {
        // 100,003 values: above the split threshold, and not a whole number of vectors (a scalar tail).
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        using var generator = new Generator(21);
        var values = randn(new long[] { 100_003 }, generator: generator);
        var gradients = randn(new long[] { 100_003 }, generator: generator);
        var average = randn(new long[] { 100_003 }, generator: generator) * 0.1;
        var squared = rand(new long[] { 100_003 }, generator: generator) * 0.01;
        Assert.True(AdamKernel.Applies(values, gradients, average, squared));
        double lr = 1e-3, decay = 1e-2, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        const long step = 3;

        // FusedAdam's own torch path (what runs where the kernel does not apply), on copies.
        var expected = values.clone();
        var m = average.clone();
        var v = squared.clone();
        FusedAdam.TorchStep(expected, gradients.clone(), m, v, lr, decay, decoupled, beta1, beta2, epsilon, step);

        AdamKernel.Step(values, gradients, average, squared, FusedAdam.KernelConstants(lr, decay, decoupled, beta1, beta2, epsilon, step), threads);

        Assert.True((values - expected).abs().max().ToDouble() <= 1e-6, "parameters");
        Assert.True((average - m).abs().max().ToDouble() <= 1e-6, "first moment");
        Assert.True((squared - v).abs().max().ToDouble() <= 1e-6, "second moment");
        // The last value (in the scalar tail) was updated too.
        Assert.Equal(expected[100_002].ToSingle(), values[100_002].ToSingle(), 5);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.9, 1e-3)]
    public void FusedSgdMatchesTorchSharpSgdOver100Steps(double momentum, double weightDecay)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        using var reference = Network(seed: 4);
        using var fused = Network(seed: 4);
        using var torchSgd = optim.SGD(reference.parameters(), 1e-2, momentum: momentum, weight_decay: weightDecay);
        using var fusedSgd = new FusedSgd(fused.parameters(), 1e-2, momentum, weightDecay);
        var generator = new Generator(12);
        for (int step = 0; step < 100; step++)
        {
            using var stepScope = NewDisposeScope();
            var x = randn(new long[] { 32, 20 }, generator: generator);
            Step(reference, torchSgd, x);
            Step(fused, fusedSgd, x);
        }

        double largest = reference.parameters().Zip(fused.parameters(), (e, a) => (e.detach() - a.detach()).abs().max().ToDouble()).Max();
        Assert.True(largest <= 1e-6, $"largest parameter difference after 100 steps: {largest:G3}");
    }

    [Fact]
    public void ParametersStayTheModulesOwnAndSchedulersDriveTheRate()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        using var network = Network(seed: 5);
        var before = network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        using var adam = new FusedAdam(network.parameters(), 1e-2);
        // Moving into the buffer keeps every value and the state-dict keys.
        foreach (var (name, value) in network.state_dict())
        {
            Assert.True(Same(value, before[name]), name);
        }

        var scheduler = optim.lr_scheduler.StepLR(adam, step_size: 1, gamma: 0.5);
        Step(network, adam, randn(8, 20));
        scheduler.step();
        Assert.Equal(5e-3, adam.ParamGroups.Single().LearningRate, 12);
        // The step changed the module's own parameters.
        Assert.Contains(network.state_dict(), p => !Same(p.Value, before[p.Key]));
    }

    private static bool Same(Tensor a, Tensor b) => (a - b).abs().max().ToDouble() == 0;

    private static Sequential Network(int seed, int width = 16)
    {
        manual_seed(seed);
        return nn.Sequential(nn.Linear(20, width), nn.Tanh(), nn.Linear(width, 8), nn.ReLU(), nn.Linear(8, 20));
    }

    private static void Step(Sequential network, optim.Optimizer optimizer, Tensor x)
    {
        optimizer.zero_grad();
        var loss = (network.forward(x) - x).square().mean();
        loss.backward();
        optimizer.step();
    }
}

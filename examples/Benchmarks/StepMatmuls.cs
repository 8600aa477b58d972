using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.ML.Examples;

/// <summary>
/// The matrix multiplies of one training step of a dense autoencoder, on random operands of the same shapes and type:
/// for every layer the forward x·Wᵀ (W stored (out, in), as torch's linear reads it), the weight gradient gᵀ·x and,
/// except for the first layer, the input gradient g·W. The profile times them per step; the throughput benchmark takes
/// their best rate as the ceiling of the training efficiency.
/// </summary>
internal sealed class StepMatmuls : IDisposable
{
    private readonly List<(Tensor A, Tensor B)> operands = new();
    private readonly List<Tensor> owned = new();

    /// <summary>Makes the operands of <paramref name="spec"/>'s layers at <paramref name="batch"/> rows.</summary>
    public StepMatmuls(AutoencoderSpec spec, int batch, TrainingPrecision precision)
    {
        var type = precision == TrainingPrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        using var scope = NewDisposeScope();
        var layers = spec.Encoder.Concat(spec.Decoder).Select(l => (In: (long)l.InputSize, Out: (long)l.OutputSize)).ToArray();
        for (int i = 0; i < layers.Length; i++)
        {
            var (n, m) = layers[i];
            var x = Keep(torch.rand(batch, n).to_type(type));
            var w = Keep(torch.rand(m, n).to_type(type));
            var g = Keep(torch.rand(batch, m).to_type(type));
            operands.Add((x, Keep(w.t())));      // forward
            operands.Add((Keep(g.t()), x));      // weight gradient
            if (i > 0)
            {
                operands.Add((g, w));            // input gradient
            }
        }

        FlopPerStep = TrainingThroughput.TrainingFlopPerSample(spec) * batch;
    }

    /// <summary>Multiply-adds ×2 of one step.</summary>
    public double FlopPerStep { get; }

    /// <summary>Runs every multiply once.</summary>
    public void RunOnce()
    {
        foreach (var (a, b) in operands)
        {
            torch.mm(a, b).Dispose();
        }
    }

    /// <summary>GFLOP/s of the best of <paramref name="rounds"/> timed rounds, after one untimed round.</summary>
    public double BestGflops(int rounds)
    {
        RunOnce();
        double best = double.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            RunOnce();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return FlopPerStep / best / 1e9;
    }

    /// <summary>Frees the operands.</summary>
    public void Dispose() => owned.ForEach(t => t.Dispose());

    // Outlives the constructor's dispose scope; freed by Dispose.
    private Tensor Keep(Tensor tensor)
    {
        owned.Add(tensor.DetachFromDisposeScope());
        return tensor;
    }
}

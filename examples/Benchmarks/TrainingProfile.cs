using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Autoencoders.ML.Data;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Autoencoders.ML.Training.Optimizers;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.ML.Examples;

/// <summary>
/// Where the time of one training step goes, for 784-512-128-32 at batch 256 on MNIST with the trainer's own network,
/// loss and fused Adam: rows → batch tensor (in memory: a gather of the rows tensor; streamed: IDataView rows copied
/// into a tensor), forward, loss, backward, optimizer. The matrix multiplies of forward and backward are timed alone on
/// the same shapes; "rest of forward/backward" is the difference. Per-call overhead is the same step at batch 1, whose
/// arithmetic is 1/256 of the real one. "after" is the trainer's way: batches prepared ahead (<see cref="BatchPrefetcher"/>),
/// so only the wait for the next batch is left on the step's path. "without autograd" is the trainer's step for a dense
/// stack today (<c>AutoencoderModule.LossWithGradients</c>): its forward time holds the loss and the backward pass.
/// </summary>
internal static class TrainingProfile
{
    public sealed record Part(string Name, double Milliseconds);

    public sealed record Result(
        IReadOnlyList<Part> Before, IReadOnlyList<Part> After, IReadOnlyList<Part> WithoutAutograd, double PerCallOverheadMs, double PerCallOverheadWithoutAutogradMs,
        int Threads, double PeakGflops);

    public static Result Run(MLContext ml, IDataView train, int steps, TrainingPrecision precision = TrainingPrecision.Float32)
    {
        TorchRuntime.EnsureInitialized();
        double peak = TrainingThroughput.PeakMatmulGflops();
        const int Batch = 256;
        var options = new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 };
        var spec = options.BuildSpec(784);
        var rows = ml.Data.TakeRows(train, 20_000);
        var columns = new[] { new RowColumn("Features", "input", 784, ValueRange.Finite) };
        using var inMemory = TrainingData.Load(rows, columns, null, ValidationSplit.None, 0, long.MaxValue, 16_384);
        using var streamed = TrainingData.Load(rows, columns, null, ValidationSplit.None, 0, 0, 16_384);

        torch.manual_seed(0);
        using var network = ModelKinds.CreateNetwork(spec, options);
        network.train();
        using var optimizer = new FusedAdam(network.parameters(), 1e-3, 0);

        using var matmuls = new StepMatmuls(spec, Batch, precision);
        var before = Steps(network, optimizer, inMemory.Training, streamed.Training, Batch, steps, prefetch: false, matmuls, precision);
        var after = Steps(network, optimizer, inMemory.Training, streamed.Training, Batch, steps, prefetch: true, matmuls, precision);
        var manual = Steps(network, optimizer, inMemory.Training, streamed.Training, Batch, steps, prefetch: true, matmuls, precision, withoutAutograd: true);
        double Overhead(bool withoutAutograd) => Steps(network, optimizer, inMemory.Training, streamed.Training, 1, steps, prefetch: false, null, precision, withoutAutograd)
            .Where(p => p.Name is "rest of forward and backward" or "loss" or "optimizer").Sum(p => p.Milliseconds);
        return new Result(before, after, manual, Overhead(false), Overhead(true), torch.get_num_threads(), peak);
    }

    private static IReadOnlyList<Part> Steps(
        AutoencoderModule network, FusedAdam optimizer, RowSource memory, RowSource streamed, int batchSize, int steps, bool prefetch,
        StepMatmuls? matmuls, TrainingPrecision precision, bool withoutAutograd = false)
    {
        var times = new Dictionary<string, double>
        {
            ["matrix multiplies of forward and backward"] = 0, ["rest of forward and backward"] = 0, ["loss"] = 0, ["optimizer"] = 0,
            ["batch, in memory (gather)"] = 0, ["batch, streamed from IDataView"] = 0, ["forward"] = 0, ["backward"] = 0,
        };
        int warmup = Math.Max(5, steps / 10);
        var random = new Random(0);
        IEnumerable<Tensor> Source(RowSource rows) => prefetch ? BatchPrefetcher.Ahead(Endless(rows, batchSize, random)) : Endless(rows, batchSize, random);
        using var memoryBatches = Source(memory).GetEnumerator();
        using var streamedBatches = Source(streamed).GetEnumerator();
        var clock = new Stopwatch();
        for (int step = 0; step < warmup + steps; step++)
        {
            bool timed = step >= warmup;
            void Lap(string part)
            {
                if (timed)
                {
                    times[part] += clock.Elapsed.TotalMilliseconds;
                }

                clock.Restart();
            }

            using var scope = torch.NewDisposeScope();
            clock.Restart();
            streamedBatches.MoveNext();
            streamedBatches.Current.Dispose();
            Lap("batch, streamed from IDataView");
            memoryBatches.MoveNext();
            using var batch = memoryBatches.Current;
            Lap("batch, in memory (gather)");
            if (withoutAutograd)
            {
                // The trainer's step for a dense stack: forward, loss and backward as a few fused calls per layer.
                using (MatmulPrecision.Use(precision))
                {
                    _ = network.LossWithGradients(batch, batch, ReconstructionLoss.MeanSquaredError)!.Total.ToDouble();
                }

                Lap("forward");
            }
            else
            {
                optimizer.zero_grad();
                Tensor logits;
                using (MatmulPrecision.Use(precision))
                {
                    logits = network.DecodeLogits(network.Encode(batch));
                }

                Lap("forward");
                var loss = LossFunctions.Reconstruction(logits, batch, ReconstructionLoss.MeanSquaredError, network.Spec.OutputActivation);
                _ = loss.ToDouble();
                Lap("loss");
                loss.backward();
                Lap("backward");
            }

            optimizer.step();
            Lap("optimizer");
            if (matmuls != null)
            {
                // The same step's matrix multiplies, timed alone right after it (so load changes hit both alike).
                matmuls.RunOnce();
                Lap("matrix multiplies of forward and backward");
            }
        }

        times["rest of forward and backward"] = times["forward"] + times["backward"] - times["matrix multiplies of forward and backward"];
        times.Remove("forward");
        times.Remove("backward");
        return times.Select(t => new Part(t.Key, t.Value / steps)).ToArray();
    }

    private static IEnumerable<Tensor> Endless(RowSource rows, int batchSize, Random random)
    {
        while (true)
        {
            foreach (var batch in rows.Batches(batchSize, random))
            {
                yield return batch;
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Microsoft.ML;
using TorchSharp;

namespace Autoencoders.ML.Examples;

/// <summary>
/// Training efficiency: samples/s of the real trainer on MNIST and achieved GFLOP/s divided by the peak matmul GFLOP/s
/// measured in the same process, in float32 and in bfloat16 (<see cref="TrainingOptions.Precision"/>) alternately, so the
/// two see the same load; the efficiency of each divides by the peak of its own number type.
/// </summary>
internal static class TrainingThroughput
{
    public sealed record Result(
        string Architecture, int BatchSize, int Rows, int Epochs, double SamplesPerSecond, double MegaFlopPerSample, double AchievedGflops, double PeakGflops,
        double Bf16PeakGflops, int Threads, string WaitPolicy, TrainingPrecision Precision = TrainingPrecision.Float32, double MatmulOnlyGflops = double.NaN)
    {
        /// <summary>
        /// The step's own matrix multiplies timed alone (same shapes, same type) ÷ the peak: what a step with no other work
        /// would reach, so the ceiling of <see cref="Efficiency"/>.
        /// </summary>
        public double Ceiling => MatmulOnlyGflops / PeakOfItsType;

        /// <summary>
        /// The step against its own ceiling: achieved GFLOP/s ÷ the same step's multiplies timed alone (1 would be a step
        /// with no work but its multiplies).
        /// </summary>
        public double StepOverCeiling => AchievedGflops / MatmulOnlyGflops;

        /// <summary>Achieved ÷ the peak of the number type the multiplies ran in.</summary>
        public double Efficiency => AchievedGflops / PeakOfItsType;

        /// <summary>The peak of the number type the multiplies ran in.</summary>
        public double PeakOfItsType => Precision == TrainingPrecision.BFloat16 ? Bf16PeakGflops : PeakGflops;
    }

    /// <summary>
    /// <paramref name="repeats"/> pairs of runs, float32 then bfloat16, each pair with both peaks measured just before it.
    /// </summary>
    public static IReadOnlyList<Result> Compare(MLContext ml, IDataView train, int rows, int epochs, int repeats, Action<string> log)
    {
        var results = new List<Result>();
        for (int i = 0; i < repeats; i++)
        {
            TorchRuntime.EnsureInitialized();
            double peak = PeakMatmulGflops(), bf16Peak = PeakMatmulGflops(torch.ScalarType.BFloat16);
            foreach (var precision in new[] { TrainingPrecision.Float32, TrainingPrecision.BFloat16 })
            {
                var result = Run(ml, train, rows, epochs, precision, peak, bf16Peak);
                log($"  pair {i + 1}, {precision}: {result.SamplesPerSecond:N0} samples/s, {result.AchievedGflops:F1} GFLOP/s, " +
                    $"efficiency {result.Efficiency:F2} (peaks: float32 {peak:F0}, bfloat16 {bf16Peak:F0} GFLOP/s; " +
                    $"the step's multiplies alone {result.MatmulOnlyGflops:F0} GFLOP/s = ceiling {result.Ceiling:F2}; step ÷ ceiling {result.StepOverCeiling:F2})");
                results.Add(result);
            }
        }

        return results;
    }

    private static Result Run(MLContext ml, IDataView train, int rows, int epochs, TrainingPrecision precision, double peak, double bf16Peak)
    {
        TorchRuntime.EnsureInitialized();
        var options = new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 };
        var training = new TrainingOptions { Epochs = epochs + 1, BatchSize = 256, Seed = 0, Precision = precision };
        var data = ml.Data.TakeRows(train, rows);
        using var model = new AutoencoderTrainer(ml, options, training).Fit(data);

        // The first epoch warms up allocator and kernels; time the rest from the trainer's own reports.
        var timed = model.History.Epochs.Skip(1).ToArray();
        double seconds = timed.Sum(e => rows / e.SamplesPerSecond);
        double samplesPerSecond = rows * timed.Length / seconds;
        double flopPerSample = TrainingFlopPerSample(model.Spec);
        double matmulOnly;
        using (var matmuls = new StepMatmuls(model.Spec, training.BatchSize, precision))
        {
            matmulOnly = matmuls.BestGflops(rounds: 20);
        }

        return new Result(
            model.Spec.ToString(), training.BatchSize, rows, timed.Length, samplesPerSecond, flopPerSample / 1e6, samplesPerSecond * flopPerSample / 1e9, peak,
            bf16Peak, torch.get_num_threads(), WaitPolicy(), precision, matmulOnly);
    }

    /// <summary>OpenMP's wait policy and libgomp's spin count in force, as the environment says (Program.cs asks TorchRuntime.Configure to set both unless given).</summary>
    public static string WaitPolicy() =>
        (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "default") +
        (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { Length: > 0 } spin ? $", GOMP_SPINCOUNT {spin}" : string.Empty);

    /// <summary>
    /// Multiply-adds ×2 of one training step per sample: the forward pass, the weight gradients, and the input gradients
    /// of every layer but the first (nothing needs the gradient of the data).
    /// </summary>
    public static double TrainingFlopPerSample(AutoencoderSpec spec)
    {
        var layers = spec.Encoder.Concat(spec.Decoder).Select(l => 2.0 * l.InputSize * l.OutputSize).ToArray();
        return layers.Sum() + layers.Sum() + layers.Skip(1).Sum();
    }

    /// <summary>Best of five timed 2048×2048×2048 matmuls after three untimed ones (float32 unless told): the practical peak of this machine.</summary>
    public static double PeakMatmulGflops(torch.ScalarType type = torch.ScalarType.Float32)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.rand(2048, 2048).to_type(type);
        var b = torch.rand(2048, 2048).to_type(type);
        // Three untimed calls: the first ones after start-up ran at about half speed with MKL's AVX-512 kernels.
        for (int i = 0; i < 3; i++)
        {
            torch.matmul(a, b).Dispose();
        }

        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            torch.matmul(a, b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return 2.0 * 2048 * 2048 * 2048 / best / 1e9;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;

namespace Autoencoders.ML.Examples;

/// <summary>
/// Does bfloat16 training keep the quality? 784-512-128-32 (MSE, Adam, batch 256, seed 0) trained for the same epochs in
/// float32 and in bfloat16 (<see cref="TrainingOptions.Precision"/>); both report the validation MSE of the float32 model
/// on the same held-out 10% of the training images (the validation pass always runs in float32).
/// </summary>
internal static class PrecisionQuality
{
    public sealed record Trained(TrainingPrecision Precision, double ValidationLoss, double Seconds);

    public sealed record Result(string Architecture, int Rows, int Epochs, IReadOnlyList<Trained> Runs);

    public static Result Run(MLContext ml, IDataView train, int rows, int epochs, Action<string> log)
    {
        var runs = new List<Trained>();
        string architecture = string.Empty;
        foreach (var precision in new[] { TrainingPrecision.Float32, TrainingPrecision.BFloat16 })
        {
            var options = new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 };
            var training = new TrainingOptions { Epochs = epochs, BatchSize = 256, Seed = 0, ValidationFraction = 0.1, Precision = precision };
            using var model = new AutoencoderTrainer(ml, options, training).Fit(ml.Data.TakeRows(train, rows));
            var last = model.History.Epochs[^1];
            architecture = model.Spec.ToString();
            runs.Add(new Trained(precision, last.ValidationLoss!.Value, last.Elapsed.TotalSeconds));
            log($"  {precision}: validation MSE {last.ValidationLoss:F5} after {epochs} epochs, {last.Elapsed.TotalSeconds:F0} s");
        }

        return new Result(architecture, rows, epochs, runs);
    }
}

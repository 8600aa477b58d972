using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;

namespace Autoencoders.ML.Examples;

/// <summary>
/// MNIST 784-1000-500-250-30 (Hinton &amp; Salakhutdinov 2006; Martens 2010 reached 2.46 with Hessian-free and
/// pretraining) within a training-time budget. Every setting is chosen on held-out training rows: each candidate is
/// trained briefly on images 0–49,999 and scored on images 50,000–59,999; the test set is read once, by the final
/// model. The final run trains the chosen candidate on all 60,000 images for as many epochs as the budget allows at the
/// speed the candidate showed.
/// </summary>
internal static class DeepAutoencoderBenchmark
{
    /// <summary>A setting tried on the held-out rows: activation, batch size and regulariser (none, or images moved by up to 1 pixel).</summary>
    public sealed record Candidate(Activation Activation, int BatchSize, int MaxShift, double HeldOutError, double HeldOutEpochs, double SecondsPerEpoch)
    {
        public string Name => $"{Activation}, batch {BatchSize}{(MaxShift > 0 ? $", images moved ≤ {MaxShift} px" : string.Empty)}";
    }

    public sealed record Result(IReadOnlyList<Candidate> Candidates, Candidate Chosen, int Epochs, double TrainSeconds, double TestError, double TrainingError);

    public static Result Run(MLContext ml, IDataView train, IDataView test, double minutes, int selectionEpochs, Action<string> log, TrainingPrecision precision = TrainingPrecision.Float32)
    {
        var fit = ml.Data.TakeRows(train, 50_000);
        var heldOut = ml.Data.SkipRows(train, 50_000);
        var candidates = new List<Candidate>();
        // Short runs (selectionEpochs = 1) compare activations and batch sizes; a regulariser only shows after many epochs,
        // when the network starts to fit its training images better than new ones: --selection-epochs sets the length.
        var settings = selectionEpochs <= 2
            ? new[] { (Activation.ELU, 128, 0), (Activation.ReLU, 128, 0), (Activation.ELU, 256, 0) }
            : new[] { (Activation.ELU, 128, 0), (Activation.ELU, 128, 1) };
        foreach (var (activation, batch, shift) in settings)
        {
            var clock = Stopwatch.StartNew();
            using var model = Trainer(ml, activation, batch, shift, selectionEpochs, precision).Fit(fit);
            double seconds = clock.Elapsed.TotalSeconds / selectionEpochs;
            var candidate = new Candidate(activation, batch, shift, model.Evaluate(heldOut).SquaredErrorPerRow, selectionEpochs, seconds * 60_000 / 50_000);
            log($"  candidate {candidate.Name}, {selectionEpochs} epochs: held-out squared error {candidate.HeldOutError:F2}, {seconds:F1} s/epoch");
            candidates.Add(candidate);
        }

        var chosen = candidates.MinBy(c => c.HeldOutError)!;
        int epochs = Math.Max(1, (int)(minutes * 60 * 0.85 / chosen.SecondsPerEpoch)); // 15% margin: a final run measured 25% slower per epoch than its selection (shared host)
        log($"  chosen on held-out rows: {chosen.Name}; final run: {epochs} epochs on 60,000 images");
        var final = Stopwatch.StartNew();
        using var trained = Trainer(ml, chosen.Activation, chosen.BatchSize, chosen.MaxShift, epochs, precision).Fit(train, progress: new InlineProgress<EpochReport>(e => log("  " + e)));
        double trainSeconds = final.Elapsed.TotalSeconds;
        return new Result(candidates, chosen, epochs, trainSeconds, trained.Evaluate(test).SquaredErrorPerRow, trained.Evaluate(train).SquaredErrorPerRow);
    }

    private static AutoencoderTrainer Trainer(MLContext ml, Activation activation, int batchSize, int maxShift, int epochs, TrainingPrecision precision) => new(
        ml,
        new AutoencoderOptions
        {
            HiddenSizes = new[] { 1000, 500, 250 },
            LatentSize = 30,
            HiddenActivation = activation,
            Loss = ReconstructionLoss.BinaryCrossEntropy, // Hinton's cross-entropy with logistic output units
        },
        new TrainingOptions
        {
            Epochs = epochs,
            BatchSize = batchSize,
            LearningRate = 1e-3,
            CosineAnnealing = new CosineSchedule(),
            CompareWithPca = false,
            Seed = 0,
            Precision = precision,
            Augmentation = maxShift > 0 ? new ImageAugmentation(new ImageShape(1, 28, 28), maxShift) : null,
        });
}

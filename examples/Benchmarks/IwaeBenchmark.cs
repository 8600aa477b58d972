using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples;

/// <summary>
/// VAE likelihood within a training-time budget, as in Burda et al. (2015): −log p(x) estimated with k = 5000 importance
/// samples on dynamically binarized MNIST (the test set binarized once with a fixed seed). The training objective (the
/// ELBO, or the IWAE bound with k samples) is chosen on held-out training rows: each candidate trains on images
/// 0–49,999 for about the same compute (or, with --selection-minutes, the same wall-clock time) and is scored on images
/// 50,000–59,999 (NLL with 500 samples on 1,000 of them).
/// The final run trains the chosen objective on all 60,000 images for as many epochs as the budget allows.
/// </summary>
internal static class IwaeBenchmark
{
    public sealed record Candidate(int TrainingSamples, int Epochs, double HeldOutNll, double SecondsPerEpoch);

    public sealed record Result(
        IReadOnlyList<Candidate> Candidates, Candidate Chosen, int Epochs, double TrainSeconds, AutoencoderModel.LikelihoodEstimate Test, double EvaluateSeconds);

    public static Result Run(
        MLContext ml, IDataView train, IDataView test, double minutes, int selectionEpochs, int[] trainingSamples, int evaluationSamples, int testRows,
        Action<string> log, TrainingPrecision precision = TrainingPrecision.Float32, double? selectionMinutes = null)
    {
        float[][] intensities = train.GetColumn<float[]>("Features").ToArray();
        float[][] heldOut = DynamicBinarization.Once(intensities[50_000..], seed: 20_241)[..1000];
        float[][] testBinary = DynamicBinarization.Once(test.GetColumn<float[]>("Features").Take(testRows).ToArray(), seed: 20_240);
        var heldOutView = View(ml, heldOut);
        var candidates = new List<Candidate>();
        foreach (int k in trainingSamples)
        {
            // About equal compute: a step with k samples decodes k times, and the decoder is about half the network. With
            // selectionMinutes, equal wall-clock time instead: one timed epoch, then as many epochs as the time allows.
            int epochs = Math.Max(1, (int)Math.Round(selectionEpochs * 2.0 / (1 + k)));
            if (selectionMinutes is double budget)
            {
                var probe = Stopwatch.StartNew();
                using (Train(ml, intensities[..50_000], k, 1, null, precision))
                {
                    epochs = Math.Max(1, (int)(budget * 60 / probe.Elapsed.TotalSeconds));
                }
            }

            var clock = Stopwatch.StartNew();
            var paces = new List<double>();
            using var model = Train(ml, intensities[..50_000], k, epochs, new InlineProgress<EpochReport>(e => paces.Add(e.SamplesPerSecond)), precision);
            // Seconds per epoch at the pace of the candidate's later half of epochs: a run's first epochs are slower
            // (7,100-9,800 rows/s in the first four of two bfloat16 runs on 2026-12-07, about 10,000-12,000 after), and
            // the fixed costs of a run (reading the rows, the end of training) are left to the one epoch the plan keeps spare.
            double seconds = paces.Count >= 2 ? 50_000 / paces.Skip(paces.Count / 2).Average() : clock.Elapsed.TotalSeconds / epochs;
            double nll = model.EstimateLikelihood(heldOutView, importanceSamples: 500, seed: 0).NegativeLogLikelihood;
            var candidate = new Candidate(k, epochs, nll, seconds * 60_000 / 50_000);
            log($"  candidate k = {k} ({(k == 1 ? "ELBO" : "IWAE")}), {epochs} epochs: held-out NLL (k = 500) {nll:F2} nats, {seconds:F1} s/epoch");
            candidates.Add(candidate);
        }

        var chosen = candidates.MinBy(c => c.HeldOutNll)!;
        int finalEpochs = Math.Max(1, (int)(minutes * 60 * 0.95 / chosen.SecondsPerEpoch) - 1); // one epoch's time kept for the fixed costs
        log($"  chosen on held-out rows: k = {chosen.TrainingSamples}; final run: {finalEpochs} epochs on 60,000 images");
        var final = Stopwatch.StartNew();
        using var trained = Train(ml, intensities, chosen.TrainingSamples, finalEpochs, new InlineProgress<EpochReport>(e => log("  " + e)), precision);
        double trainSeconds = final.Elapsed.TotalSeconds;
        var evaluate = Stopwatch.StartNew();
        var likelihood = trained.EstimateLikelihood(View(ml, testBinary), importanceSamples: evaluationSamples, seed: 0);
        return new Result(candidates, chosen, finalEpochs, trainSeconds, likelihood, evaluate.Elapsed.TotalSeconds);
    }

    private static AutoencoderModel Train(MLContext ml, float[][] intensities, int k, int epochs, IProgress<EpochReport>? progress, TrainingPrecision precision)
    {
        var view = DynamicBinarization.View(ml, new DynamicBinarization(intensities, seed: 1), 784);
        var options = VaeSetup.Model(latentSize: 32);
        options.ImportanceSamples = k;
        var training = VaeSetup.Training(epochs, intensities.Length);
        training.Precision = precision;
        return new AutoencoderTrainer(ml, options, training).Fit(view, progress: progress);
    }

    private static IDataView View(MLContext ml, float[][] rows) =>
        DynamicBinarization.View(ml, rows.Select(r => new DynamicBinarization.Row { Features = r }).ToArray(), 784);
}

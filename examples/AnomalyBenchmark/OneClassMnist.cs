using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Autoencoders.ML.Anomaly;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>
/// One-class MNIST (the Deep SVDD protocol, Ruff et al. 2018): train on the training images of one digit, score the
/// 10,000 test images, AUROC with that digit as normal (every other digit is an anomaly). Pixels / 255.
/// </summary>
internal static class OneClassMnist
{
    public static string Run(IReadOnlyList<int> digits)
    {
        var ml = Detectors.Ml;
        var train = BundledMnist.Train(ml);
        var test = BundledMnist.Test(ml);
        var trainRows = train.GetColumn<float[]>("Features").ToArray();
        var trainLabels = train.GetColumn<float>("Label").Select(l => (int)l).ToArray();
        var testRows = test.GetColumn<float[]>("Features").ToArray();
        var testLabels = test.GetColumn<float>("Label").Select(l => (int)l).ToArray();
        var names = new[] { "library default (VAE robust, neg-ELBO + latent kNN)", "AE 784-256-32 plain error (no scaling)", "RandomizedPca (ML.NET, rank 20)" };
        var results = new Dictionary<(int Digit, string Name), (double Auroc, double Seconds)>();
        foreach (int digit in digits)
        {
            var rows = trainRows.Where((_, i) => trainLabels[i] == digit).ToArray();
            var anomaly = testLabels.Select(l => l == digit ? 0 : 1).ToArray();

            var clock = Stopwatch.StartNew();
            using (var scorer = AnomalyScorer.Train(ml, rows, seed: 0, threads: 1))
            {
                results[(digit, names[0])] = (Stats.Auroc(scorer.Score(testRows), anomaly), clock.Elapsed.TotalSeconds);
            }

            Report(digit, names[0], results[(digit, names[0])]);
            clock.Restart();
            var options = new AutoencoderOptions { HiddenSizes = new[] { 256 }, LatentSize = 32 };
            using (var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 20, BatchSize = 128, Threads = 1 }).Fit(Detectors.ToDataView(rows), "Features"))
            {
                var reconstruction = model.Reconstruct(testRows);
                var errors = testRows.Select((x, i) => x.Select((v, j) => (double)(v - reconstruction[i][j]) * (v - reconstruction[i][j])).Sum()).ToArray();
                results[(digit, names[1])] = (Stats.Auroc(errors, anomaly), clock.Elapsed.TotalSeconds);
            }

            Report(digit, names[1], results[(digit, names[1])]);
            clock.Restart();
            var pca = ml.AnomalyDetection.Trainers.RandomizedPca("Features", rank: 20, ensureZeroMean: true, seed: 0).Fit(Detectors.ToDataView(rows));
            var pcaScores = pca.Transform(Detectors.ToDataView(testRows)).GetColumn<float>("Score").Select(v => (double)v).ToArray();
            results[(digit, names[2])] = (Stats.Auroc(pcaScores, anomaly), clock.Elapsed.TotalSeconds);
            Report(digit, names[2], results[(digit, names[2])]);
        }

        var table = new System.Text.StringBuilder();
        table.AppendLine($"| detector | {string.Join(" | ", digits.Select(d => $"digit {d}"))} | **mean** | s/digit |");
        table.AppendLine($"|---|{string.Concat(digits.Select(_ => "---|"))}---|---|");
        foreach (var name in names)
        {
            var values = digits.Select(d => results[(d, name)].Auroc * 100).ToList();
            table.AppendLine($"| {name} | {string.Join(" | ", values.Select(v => v.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))} | **{values.Average():F1}** | {digits.Average(d => results[(d, name)].Seconds):F1} |");
        }

        return $"One-class MNIST, AUROC × 100 (train on one digit's training images, score the 10,000 test images)\n\n{table}";
    }

    private static void Report(int digit, string name, (double Auroc, double Seconds) r) =>
        Console.WriteLine($"  digit {digit}  {name,-52} AUROC {r.Auroc * 100:F1}  {r.Seconds,6:F1} s");
}

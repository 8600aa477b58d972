using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using Autoencoders.ML.Anomaly;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>
/// How the image recipe was chosen, on MNIST *training* images only (the test set is never read): per digit, 80% of
/// that digit's training images train the model; the other 20% (normal) and as many images of the other digits, drawn
/// from the training set (stand-in anomalies), are scored; AUROC. Candidates share one trained model per architecture.
/// </summary>
internal static class ImageRecipeSelection
{
    public static string Run(IReadOnlyList<int> digits, int epochs)
    {
        var ml = Detectors.Ml;
        var train = BundledMnist.Train(ml);
        var rows = train.GetColumn<float[]>("Features").ToArray();
        var labels = train.GetColumn<float>("Label").Select(l => (int)l).ToArray();
        var architectures = new (string Name, int[] Hidden, int Latent)[] { ("784-256-32", new[] { 256 }, 32), ("784-512-128-32", new[] { 512, 128 }, 32) };
        var results = new Dictionary<(int, string), double>();
        var names = new List<string>();
        foreach (int digit in digits)
        {
            var random = new Random(digit);
            var normal = rows.Where((_, i) => labels[i] == digit).OrderBy(_ => random.Next()).ToArray();
            int fit = normal.Length * 4 / 5;
            var fitRows = normal.Take(fit).ToArray();
            var heldOutNormal = normal.Skip(fit).ToArray();
            var others = rows.Where((_, i) => labels[i] != digit).OrderBy(_ => random.Next()).Take(heldOutNormal.Length).ToArray();
            var heldOut = heldOutNormal.Concat(others).ToArray();
            var truth = heldOutNormal.Select(_ => 0).Concat(others.Select(_ => 1)).ToArray();
            foreach (var (archName, hidden, latent) in architectures)
            {
                var clock = Stopwatch.StartNew();
                var options = new AutoencoderOptions { HiddenSizes = hidden, LatentSize = latent };
                using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = epochs, BatchSize = 128, Seed = 0, Threads = 1 })
                    .Fit(Detectors.ToDataView(fitRows), "Features");
                var reconstruction = model.Reconstruct(heldOut);
                var errors = heldOut.Select((x, i) => x.Select((v, j) => (double)(v - reconstruction[i][j]) * (v - reconstruction[i][j])).Sum()).ToArray();
                Add($"AE {archName}, squared error", Stats.Auroc(errors, truth));
                using (var scorer = AnomalyScorer.Fit(model, fitRows, neighbours: 5))
                {
                    Add($"AE {archName}, rank avg of error and latent 5-NN", Stats.Auroc(scorer.Score(heldOut), truth));
                }

                Console.WriteLine($"  digit {digit} {archName}: {clock.Elapsed.TotalSeconds:F0} s");

                void Add(string name, double value)
                {
                    if (!names.Contains(name))
                    {
                        names.Add(name);
                    }

                    results[(digit, name)] = value;
                    Console.WriteLine($"  digit {digit}  {name,-52} held-out AUROC {value * 100:F1}");
                }
            }
        }

        var table = new StringBuilder();
        table.AppendLine($"| candidate ({epochs} epochs) | {string.Join(" | ", digits.Select(d => $"digit {d}"))} | **mean** |");
        table.AppendLine($"|---|{string.Concat(digits.Select(_ => "---|"))}---|");
        foreach (var name in names)
        {
            var values = digits.Select(d => results[(d, name)] * 100).ToList();
            table.AppendLine($"| {name} | {string.Join(" | ", values.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))} | **{values.Average():F1}** |");
        }

        return $"Image recipe selection, held-out MNIST training images (AUROC × 100; test set not used)\n\n{table}";
    }
}

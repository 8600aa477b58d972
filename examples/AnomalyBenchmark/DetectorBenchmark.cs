using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Autoencoders.ML.Anomaly;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>
/// The reported benchmark of the committed detector (issue 14, item 5): exactly what a user gets from
/// <c>mlContext.AnomalyDetection.Trainers.Autoencoder()</c> with its defaults (seed 0) — the same trainer and settings the
/// CLI's <c>train</c> uses for <c>anomaly.onnx</c> — scored through the ML.NET transform (the anomaly ONNX graph),
/// with ML.NET's RandomizedPca side by side in the same run.
/// </summary>
internal static class DetectorBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Tabular(IReadOnlyList<TabularSet> sets)
    {
        var ml = new MLContext(seed: 0);
        var rows = new List<(string Set, double Auto, double AutoEval, double AutoSeconds, double Pca, double PcaSeconds, double PcaStd)>();
        foreach (var set in sets)
        {
            var data = Detectors.ToDataView(set.Rows);
            var clock = Stopwatch.StartNew();
            double auroc;
            double evaluated;
            using (var detector = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyTrainer.Options { Seed = 0 }).Fit(data))
            {
                var scored = detector.Transform(WithLabels(ml, set));
                auroc = Stats.Auroc(scored.GetColumn<float>("Score").Select(v => (double)v).ToArray(), set.Labels);
                evaluated = ml.AnomalyDetection.Evaluate(scored).AreaUnderRocCurve;
            }

            double seconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            double pca = Stats.Auroc(Detectors.RandomizedPca(set, standardise: false), set.Labels);
            double pcaSeconds = clock.Elapsed.TotalSeconds;
            double pcaStd = Stats.Auroc(Detectors.RandomizedPca(set, standardise: true), set.Labels);
            rows.Add((set.Name, auroc, evaluated, seconds, pca, pcaSeconds, pcaStd));
            Console.WriteLine($"  {set.Name,-12} autoencoder AUROC {auroc:F3} (ML.NET Evaluate {evaluated:F3}) {seconds,6:F1} s   RandomizedPca {pca:F3} {pcaSeconds:F1} s, standardised {pcaStd:F3}");
        }

        var table = new StringBuilder();
        table.AppendLine("| detector | " + string.Join(" | ", rows.Select(r => r.Set)) + " | **mean** | s/set |");
        table.AppendLine("|---|" + string.Concat(rows.Select(_ => "---|")) + "---|---|");
        table.AppendLine($"| `Trainers.Autoencoder()` defaults (= CLI `train` + `score`) | {Cells(rows.Select(r => r.Auto))} | **{rows.Average(r => r.Auto):F3}** | {rows.Average(r => r.AutoSeconds):F1} |");
        table.AppendLine($"| ML.NET `RandomizedPca` (rank ⌈d/2⌉ ≤ 20, raw features) | {Cells(rows.Select(r => r.Pca))} | **{rows.Average(r => r.Pca):F3}** | {rows.Average(r => r.PcaSeconds):F1} |");
        table.AppendLine($"| ML.NET `RandomizedPca`, standardised features | {Cells(rows.Select(r => r.PcaStd))} | **{rows.Average(r => r.PcaStd):F3}** | — |");
        table.AppendLine();
        table.AppendLine("Seconds per set (training + scoring all rows), autoencoder: " + string.Join(", ", rows.Select(r => $"{r.Set} {r.AutoSeconds.ToString("F0", Invariant)}")) + ".");
        return $"Tabular, unsupervised (fit on all rows, labels set aside; AUROC over all rows)\n\n{table}";
    }

    /// <summary>
    /// Issue 27's report: the library's default detector (<c>Trainers.Autoencoder()</c> with seed 0, scored through the
    /// ML.NET transform, i.e. the anomaly ONNX graph) beside scikit-learn's IsolationForest, 5-NN, LOF and PCA on every
    /// table, with the mean and worst table of each half (<see cref="Candidates.ChoiceHalf"/>) and of all tables.
    /// </summary>
    public static string Defaults(string dataDirectory, IReadOnlyList<TabularSet> sets, string python)
    {
        var ml = new MLContext(seed: 0);
        var total = Stopwatch.StartNew();
        var names = new[] { "default" }.Concat(SklearnBaselines.Names).ToArray();
        var rows = new List<(TabularSet Set, bool Choice, double[] Auroc, double Seconds, string Recipe)>();
        foreach (var set in sets)
        {
            var clock = Stopwatch.StartNew();
            double[] scores;
            string recipe;
            using (var detector = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyTrainer.Options { Seed = 0, Threads = 1 }).Fit(Detectors.ToDataView(set.Rows)))
            {
                scores = detector.Transform(Detectors.ToDataView(set.Rows)).GetColumn<float>("Score").Select(v => (double)v).ToArray();
                recipe = detector.Scorer.Recipe?.ToString() ?? "none";
            }

            double seconds = clock.Elapsed.TotalSeconds;
            var baselines = SklearnBaselines.Score(Path.Combine(dataDirectory, set.Name + ".csv"), python, set.Rows.Length);
            var auroc = new[] { Stats.Auroc(scores, set.Labels) }.Concat(SklearnBaselines.Names.Select(n => Stats.Auroc(baselines[n], set.Labels))).ToArray();
            bool choice = Candidates.ChoiceHalf.Contains(set.Name);
            rows.Add((set, choice, auroc, seconds, recipe));
            Console.WriteLine($"  {set.Name,-13} {(choice ? "choice" : "report"),-6} " + string.Join("  ", names.Select((n, i) => $"{n} {auroc[i]:F3}")) + $"  ({seconds:F1} s)");
        }

        var table = new StringBuilder();
        table.AppendLine("| table | half | rows | features | recipe | **default** | IsolationForest | 5-NN | LOF | PCA | default − IForest | s (default) |");
        table.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            table.AppendLine($"| {r.Set.Name} | {(r.Choice ? "choice" : "report")} | {r.Set.Rows.Length.ToString(Invariant)} | {r.Set.Width.ToString(Invariant)} | {r.Recipe} | **{r.Auroc[0].ToString("F3", Invariant)}** | {Cells(r.Auroc.Skip(1))} | {(r.Auroc[0] - r.Auroc[1]).ToString("+0.000;−0.000", Invariant)} | {r.Seconds.ToString("F1", Invariant)} |");
        }

        table.AppendLine();
        table.AppendLine("| tables | statistic | **default** | IsolationForest | 5-NN | LOF | PCA | default ≥ IForest on |");
        table.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (label, group) in new[] { ("report half", rows.Where(r => !r.Choice).ToList()), ("choice half", rows.Where(r => r.Choice).ToList()), ($"all {rows.Count}", rows) })
        {
            if (group.Count == 0)
            {
                continue;
            }

            var means = names.Select((_, i) => group.Average(r => r.Auroc[i])).ToArray();
            var worst = names.Select((_, i) => group.Min(r => r.Auroc[i])).ToArray();
            int wins = group.Count(r => r.Auroc[0] >= r.Auroc[1]);
            table.AppendLine($"| {label} ({group.Count}) | mean | **{means[0].ToString("F3", Invariant)}** | {Cells(means.Skip(1))} | {wins}/{group.Count} tables |");
            table.AppendLine($"| {label} ({group.Count}) | worst table | **{worst[0].ToString("F3", Invariant)}** | {Cells(worst.Skip(1))} | |");
        }

        table.AppendLine();
        table.AppendLine($"Run time: {total.Elapsed.TotalMinutes.ToString("F1", Invariant)} min for {rows.Count} tables (default: {rows.Sum(r => r.Seconds).ToString("F0", Invariant)} s of training and scoring, Threads = 1; the rest is scikit-learn).");
        return $"AUROC, unsupervised (fit on all rows, labels set aside; seed 0; baselines on standardised features)\n\n{table}";
    }

    public static string Mnist(IReadOnlyList<int> digits, int? trainRows)
    {
        var ml = new MLContext(seed: 0);
        var train = BundledMnist.Train(ml);
        var test = BundledMnist.Test(ml);
        int? limit = trainRows;
        var trainingImages = train.GetColumn<float[]>("Features").ToArray();
        var trainLabels = train.GetColumn<float>("Label").Select(l => (int)l).ToArray();
        var testView = Detectors.ToDataView(test.GetColumn<float[]>("Features").ToArray());
        var testLabels = test.GetColumn<float>("Label").Select(l => (int)l).ToArray();
        var results = new List<(int Digit, double Auto, double Seconds, double Pca, double PcaSeconds)>();
        foreach (int digit in digits)
        {
            // --train-rows N: the digit's first N training images (a lean run on a contended machine); default all of them.
            var rows = trainingImages.Where((_, i) => trainLabels[i] == digit).Take(limit ?? int.MaxValue).ToArray();
            var anomaly = testLabels.Select(l => l == digit ? 0 : 1).ToArray();
            var clock = Stopwatch.StartNew();
            double auroc;
            using (var detector = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyTrainer.Options { Seed = 0 }).Fit(Detectors.ToDataView(rows)))
            {
                auroc = Stats.Auroc(detector.Transform(testView).GetColumn<float>("Score").Select(v => (double)v).ToArray(), anomaly);
            }

            double seconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var pcaModel = ml.AnomalyDetection.Trainers.RandomizedPca("Features", rank: 20, ensureZeroMean: true, seed: 0).Fit(Detectors.ToDataView(rows));
            double pca = Stats.Auroc(pcaModel.Transform(testView).GetColumn<float>("Score").Select(v => (double)v).ToArray(), anomaly);
            results.Add((digit, auroc, seconds, pca, clock.Elapsed.TotalSeconds));
            Console.WriteLine($"  digit {digit}: autoencoder AUROC {auroc * 100:F1} {seconds,6:F1} s   RandomizedPca {pca * 100:F1} {clock.Elapsed.TotalSeconds:F1} s");
        }

        var table = new StringBuilder();
        table.AppendLine("| detector | " + string.Join(" | ", results.Select(r => r.Digit.ToString(Invariant))) + " | **mean** | s/digit |");
        table.AppendLine("|---|" + string.Concat(results.Select(_ => "---|")) + "---|---|");
        table.AppendLine($"| `Trainers.Autoencoder()` defaults (image recipe) | {Cells(results.Select(r => r.Auto * 100), "F1")} | **{results.Average(r => r.Auto * 100):F1}** | {results.Average(r => r.Seconds):F0} |");
        table.AppendLine($"| ML.NET `RandomizedPca` (rank 20) | {Cells(results.Select(r => r.Pca * 100), "F1")} | **{results.Average(r => r.Pca * 100):F1}** | {results.Average(r => r.PcaSeconds):F0} |");
        string training = limit is int n ? $"the first {n} training images of the digit" : "all training images of the digit";
        return $"One-class MNIST, AUROC × 100 (train on {training}, score the 10,000 test images)\n\n{table}";
    }

    private static string Cells(IEnumerable<double> values, string format = "F3") => string.Join(" | ", values.Select(v => v.ToString(format, Invariant)));

    // The set's rows with its labels, for ML.NET's evaluator (Label: Single, 1 = anomaly).
    private static IDataView WithLabels(MLContext ml, TabularSet set)
    {
        var schema = SchemaDefinition.Create(typeof(LabeledRow));
        schema[nameof(LabeledRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, set.Width);
        return ml.Data.LoadFromEnumerable(set.Rows.Select((r, i) => new LabeledRow { Features = r, Label = set.Labels[i] }).ToList(), schema);
    }

    private sealed class LabeledRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }
}

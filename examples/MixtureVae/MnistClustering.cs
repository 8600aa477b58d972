using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
// The MNIST clustering benchmark of the Gaussian-mixture VAE: K = 10, trained on the 60,000 training images without
// their labels; clustering accuracy (Hungarian matching) and NMI on the 10,000 test images, beside ML.NET KMeans on the
// raw pixels and on the codes of a plain autoencoder of the same size, in the same run. With --holdout it trains on
// training rows 0-49,999 and scores rows 50,000-59,999 instead (for choosing settings without the test set).
using System.Diagnostics;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

internal static class MnistClustering
{
    public static int Run(ClusteringSettings settings)
    {
        var (output, seeds, epochs, pretrainEpochs, hidden, trainRows, learningRate, batchSize, holdout, emIterations, mixtureOnly, cosineWarmup, _, _, _, _, _, _, _, _, _, _) = settings;
        Directory.CreateDirectory(output);
        var ml = new MLContext(seed: 0);
        // The mixture kind's initialisation reports through ML.NET's log: show its line (component sizes, restarts).
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("prior initialised", StringComparison.Ordinal))
            {
                Console.WriteLine("  " + e.Message);
            }
        };
        // --holdout: choose settings without the test set. Train on training rows 0-49,999 and score training rows
        // 50,000-59,999 (their labels are read only for this choice); the test images are not read at all.
        var train = holdout ? BundledMnist.Train(ml, Math.Min(trainRows ?? 50_000, 50_000)) : BundledMnist.Train(ml, trainRows);
        var test = holdout ? ml.Data.SkipRows(BundledMnist.Train(ml), 50_000) : BundledMnist.Test(ml);
        int[] testLabels = test.GetColumn<float>("Label").Select(l => (int)l).ToArray();
        Console.WriteLine($"MNIST clustering, K = 10: {(holdout ? Math.Min(trainRows ?? 50_000, 50_000) : trainRows ?? 60_000):N0} training images without labels, " +
            $"{(holdout ? "scored on training rows 50,000-59,999 (holdout, for choosing settings)" : "10,000 test images")}; lr {learningRate}, batch {batchSize}; hidden {string.Join(",", hidden)}, latent 10, " +
            $"{pretrainEpochs} pretraining + {epochs} mixture epochs, {emIterations} EM steps after the k-means, {(cosineWarmup is double cw ? $"cosine schedule (warm-up {cw:P0}) over the mixture epochs" : "constant rate")}, " +
            $"augmentation {(settings.Augmentation?.ToString() ?? "none")}, consistency weight {settings.Consistency} (balance {settings.Balance}), {settings.Restarts} initialisation(s), best of {settings.Runs} run(s) by final training loss, {settings.Threads} thread(s), {(settings.BFloat16 ? "bf16" : "float32")}, seeds {string.Join(",", seeds)}.");
        var rows = new List<string> { "| method | seed | test accuracy | test NMI | held-out training ELBO term (validation loss) | time |", "|---|---|---|---|---|---|" };
        foreach (int seed in seeds)
        {
            var watch = Stopwatch.StartNew();
            if (!mixtureOnly)
            {
                var kmeans = KMeansOn(ml, train, "Features", seed).Transform(test);
                rows.Add(Row("ML.NET KMeans on raw pixels", seed, kmeans, testLabels, ml, double.NaN, watch.Elapsed));

                watch.Restart();
                using var plain = Train(ml, new AutoencoderOptions { HiddenSizes = hidden, LatentSize = 10, Loss = ReconstructionLoss.BinaryCrossEntropy }, pretrainEpochs, seed, train, settings);
                var plainCodes = ml.Transforms.ApplyAutoencoder(plain).Fit(train);
                var codesKmeans = KMeansOn(ml, plainCodes.Transform(train), "Latent", seed).Transform(plainCodes.Transform(test));
                rows.Add(Row($"ML.NET KMeans on a plain AE's 10-d codes ({pretrainEpochs} epochs)", seed, codesKmeans, testLabels, ml, double.NaN, watch.Elapsed));
            }

            watch.Restart();
            var options = new MixtureAutoencoderOptions
            {
                Clusters = 10, HiddenSizes = hidden, LatentSize = 10, Loss = ReconstructionLoss.BinaryCrossEntropy, PretrainEpochs = pretrainEpochs,
                InitialEmIterations = emIterations, ConsistencyWeight = settings.Consistency, ConsistencyBalance = settings.Balance, InitialRestarts = settings.Restarts,
            };
            // The mixture epochs (not the pretraining inside them) optionally follow a cosine schedule with a linear warm-up.
            var schedule = cosineWarmup is double w ? new CosineSchedule { WarmupFraction = w } : null;
            using var model = Train(ml, options, epochs, seed, train, settings, schedule, settings.Runs);
            if (model.History.RunLosses is { } losses)
            {
                Console.WriteLine($"  kept run {model.History.ChosenRun} of {losses.Count} (final training losses {string.Join(", ", losses.Select(l => l.ToString("F1")))})");
            }

            var scored = ml.Transforms.ClusterWithMixture(model).Fit(test).Transform(test);
            var prior = model.Prior!;
            Console.WriteLine($"  prior: |mean| up to {prior.Means.Max(m => m.Max(Math.Abs)):F2}, component log σ from {prior.LogVariances.Min(v => v.Min()) / 2:F2} to {prior.LogVariances.Max(v => v.Max()) / 2:F2}");
            rows.Add(Row("Gaussian-mixture VAE", seed, scored, testLabels, ml, model.History.Epochs[^1].ValidationLoss ?? double.NaN, watch.Elapsed));
            Console.WriteLine(string.Join(Environment.NewLine, rows.TakeLast(mixtureOnly ? 1 : 3)));
            if (seed == seeds[0])
            {
                var samples = Enumerable.Range(0, 10).Select(k => (IReadOnlyList<float[]>)model.SampleMixture(12, seed: 1, component: k)).ToList();
                ImageGrid.Save(Path.Combine(output, "mnist-samples-per-component.png"), samples, 28, 28);
                Console.WriteLine($"wrote {Path.Combine(output, "mnist-samples-per-component.png")} (one row of samples per component)");
            }
        }

        File.WriteAllLines(Path.Combine(output, "mnist-clustering.md"), rows);
        Console.WriteLine(string.Join(Environment.NewLine, rows));
        return 0;
    }

    private static AutoencoderModel Train(
        MLContext ml, AutoencoderOptions options, int epochs, int seed, IDataView train, ClusteringSettings settings, ILearningRateSchedule? schedule = null, int runs = 1)
    {
        var training = new TrainingOptions
        {
            Runs = runs, Epochs = epochs, BatchSize = settings.BatchSize, LearningRate = settings.LearningRate, Seed = seed, CompareWithPca = false, Threads = settings.Threads,
            LearningRateSchedule = schedule, Augmentation = settings.Augmentation,
            Precision = settings.BFloat16 ? TrainingPrecision.BFloat16 : TrainingPrecision.Float32,
        };
        var progress = new Progress<EpochReport>(r => Console.WriteLine(
            $"  {(r.Runs > 1 ? $"run {r.Run}, " : string.Empty)}epoch {r.Epoch}: training {r.TrainingLoss:G5} ({string.Join(", ", r.TrainingLossParts.Select(p => $"{p.Key} {p.Value:G4}"))}), {r.SamplesPerSecond:F0} rows/s"));
        return new AutoencoderTrainer(ml, options, training).Fit(train, progress: progress);
    }

    private static ITransformer KMeansOn(MLContext ml, IDataView data, string column, int seed)
    {
        var context = new MLContext(seed);
        return context.Clustering.Trainers.KMeans(new KMeansTrainer.Options
        {
            FeatureColumnName = column, NumberOfClusters = 10, InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus, NumberOfThreads = 1,
        }).Fit(data);
    }

    private static string Row(string method, int seed, IDataView scored, int[] labels, MLContext ml, double validation, TimeSpan time)
    {
        var column = scored.Schema["PredictedLabel"].Type is VectorDataViewType
            ? scored.GetColumn<VBuffer<uint>>("PredictedLabel").Select(k => (int)k.GetValues()[0] - 1)
            : scored.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1);
        int[] clusters = column.ToArray();
        double accuracy = ml.Clustering.MatchedAccuracy(clusters, labels);
        Console.WriteLine($"  {method}: cluster sizes {string.Join(", ", clusters.GroupBy(c => c).OrderBy(g => g.Key).Select(g => g.Count()))}");
        var withKey = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label").Fit(scored).Transform(scored);
        double nmi = ml.Clustering.Evaluate(withKey, labelColumnName: "LabelKey", scoreColumnName: "Score").NormalizedMutualInformation;
        return $"| {method} | {seed} | {accuracy:P2} | {nmi:F4} | {(double.IsNaN(validation) ? "–" : validation.ToString("F2"))} | {time.TotalSeconds:F0} s |";
    }
}

/// <summary>The benchmark's settings (see Program.cs for the flags).</summary>
internal sealed record ClusteringSettings(
    string Output, int[] Seeds, int Epochs, int PretrainEpochs, int[] Hidden, int? TrainRows, double LearningRate, int BatchSize, bool Holdout,
    int EmIterations, bool MixtureOnly, double? CosineWarmup, int AugmentShift, double AugmentRotation, int Threads, bool BFloat16, double Consistency, int Restarts, double Balance = 1, int Runs = 1, double AugmentScale = 0, double AugmentShear = 0)
{
    /// <summary>The image augmentation of every training stage, or null.</summary>
    public ImageAugmentation? Augmentation =>
        new ImageAugmentation(new Autoencoders.ML.Architecture.ImageShape(1, 28, 28), AugmentShift, AugmentRotation, AugmentScale, AugmentShear) is { MovesRows: true } moves
            ? moves
            : null;
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

// The mixture VAE's defaults on every image set at hand (docs/mixture-defaults.md): nothing set but Clusters = 10, the
// seed and the torch threads, so the recipe the library resolves from the rows is what runs. ML.NET KMeans (k-means++)
// on the raw features beside it, same rows, same run. MNIST: trained on the 60,000 training images, scored on the 10,000
// test images (with --holdout: trained on training rows 0-49,999, scored on rows 50,000-59,999, the test set unread).
// Digits: the 1,797 8×8 images, trained and scored on all rows (clustering never reads the labels).
internal static class DefaultsBenchmark
{
    public static int Run(string output, int[] seeds, string[] sets, bool holdout, int? threads, string digitsPath)
    {
        var ml = new MLContext(seed: 0);
        string table = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(table)!);
        var lines = new List<string>
        {
            $"Command: `dotnet run --project examples/MixtureVae -c Release -- defaults --seeds {string.Join(",", seeds)} --sets {string.Join(",", sets)}{(holdout ? " --holdout" : string.Empty)}" +
                $"{(threads is int t ? $" --threads {t}" : string.Empty)}` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, shared: wall clock depends on the load, accuracy does not).",
            string.Empty,
            "| set | seed | KMeans on raw features | mixture VAE, library defaults | NMI (mixture VAE) | recipe | runs' final losses (kept) | wall clock (mixture VAE) |",
            "|---|---|---|---|---|---|---|---|",
        };
        foreach (string set in sets)
        {
            var (train, test, label) = set switch
            {
                "mnist" when holdout => (BundledMnist.Train(ml, 50_000), ml.Data.SkipRows(BundledMnist.Train(ml), 50_000), "MNIST, held-out training rows 50,000–59,999"),
                "mnist" => (BundledMnist.Train(ml), BundledMnist.Test(ml), "MNIST test (10,000)"),
                "digits" => (Digits(ml, digitsPath), Digits(ml, digitsPath), "digits 8×8 (1,797)"),
                _ => throw new ArgumentException($"--sets: unknown set '{set}'; expected mnist or digits."),
            };
            int[] labels = test.GetColumn<float>("Label").Select(l => (int)l).ToArray();
            foreach (int seed in seeds)
            {
                var kmeans = new MLContext(seed).Clustering.Trainers.KMeans(new Microsoft.ML.Trainers.KMeansTrainer.Options
                {
                    FeatureColumnName = "Features", NumberOfClusters = 10, InitializationAlgorithm = Microsoft.ML.Trainers.KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus, NumberOfThreads = 1,
                }).Fit(train).Transform(test);
                double kmeansAccuracy = ml.Clustering.MatchedAccuracy(Clusters(kmeans), labels);
                Console.WriteLine($"{label}, seed {seed}: KMeans on raw features {kmeansAccuracy:P2}");

                var watch = Stopwatch.StartNew();
                var progress = new Progress<EpochReport>(r => Console.WriteLine(
                    $"  {(r.Runs > 1 ? $"run {r.Run}/{r.Runs}, " : string.Empty)}epoch {r.Epoch}/{r.Epochs}: training {r.TrainingLoss:G5}, {r.SamplesPerSecond:F0} rows/s, {watch.Elapsed.TotalMinutes:F1} min"));
                using var model = new AutoencoderTrainer(ml, new MixtureAutoencoderOptions { Clusters = 10 }, new TrainingOptions { Seed = seed, Threads = threads })
                    .Fit(train, progress: progress);
                var time = watch.Elapsed;
                var options = (MixtureAutoencoderOptions)model.Options;
                var scored = ml.Transforms.ClusterWithMixture(model).Fit(test).Transform(test);
                int[] clusters = Clusters(scored);
                double accuracy = ml.Clustering.MatchedAccuracy(clusters, labels);
                var withKey = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label").Fit(scored).Transform(scored);
                double nmi = ml.Clustering.Evaluate(withKey, labelColumnName: "LabelKey", scoreColumnName: "Score").NormalizedMutualInformation;
                string losses = model.History.RunLosses is { } l ? $"{string.Join(", ", l.Select(v => v.ToString("F1")))} ({model.History.ChosenRun})" : "one run";
                string line = $"| {label} | {seed} | {kmeansAccuracy:P2} | **{accuracy:P2}** | {nmi:F4} | {options.Recipe}: {options.Spec(model)}, {model.Training.Runs} run(s), {model.Training.Precision} | {losses} | {time.TotalSeconds:F0} s |";
                Console.WriteLine(line);
                Console.WriteLine($"  recipe {options.Recipe} ({options.RecipeReason}); cluster sizes {string.Join(", ", clusters.GroupBy(c => c).OrderBy(g => g.Key).Select(g => g.Count()))}");
                lines.Add(line);
                File.WriteAllLines(table, lines); // after every row: a cut-off run keeps what it measured
            }
        }

        Console.WriteLine($"wrote {table}");
        return 0;
    }

    private static string Spec(this MixtureAutoencoderOptions options, Autoencoders.ML.Models.AutoencoderModel model) =>
        $"{model.InputSize}-{string.Join("-", options.HiddenSizes)}-{options.LatentSize}, {options.PretrainEpochs} + {model.Training.Epochs} epochs, λ {options.ConsistencyWeight}";

    private static int[] Clusters(IDataView scored) => scored.Schema["PredictedLabel"].Type is VectorDataViewType
        ? scored.GetColumn<VBuffer<uint>>("PredictedLabel").Select(k => (int)k.GetValues()[0] - 1).ToArray()
        : scored.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray();

    /// <summary>The 8×8 digits CSV: header p0..p63,label, pixels in [0, 1].</summary>
    private static IDataView Digits(MLContext ml, string path) => ml.Data.LoadFromTextFile(path, new[]
    {
        new TextLoader.Column("Features", DataKind.Single, 0, 63),
        new TextLoader.Column("Label", DataKind.Single, 64),
    }, separatorChar: ',', hasHeader: true);
}

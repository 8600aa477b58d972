using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Autoencoders.ML.Baselines;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>Architecture and training of one autoencoder, as a rule of the input width d (one setting for every set).</summary>
internal sealed record AeConfig(
    string Name,
    Func<int, int[]> Hidden,
    Func<int, int> Latent,
    int Epochs = 20,
    float Dropout = 0f,
    double Noise = 0,
    bool Variational = false,
    int BatchSize = 128,
    double LearningRate = 1e-3,
    double WeightDecay = 0,
    int MinimumSteps = 0);

/// <summary>How a trained autoencoder's outputs become one score per row (higher = more anomalous).</summary>
internal enum AeScore
{
    /// <summary>Mean squared reconstruction error over the features, in the scaled space.</summary>
    Plain,
    /// <summary>Each feature's squared error divided by that feature's median squared error over the training rows, then averaged.</summary>
    PerFeature,
    /// <summary>Distance to the 5th nearest neighbour in the latent space.</summary>
    LatentKnn,
    /// <summary>Distance to the 5th nearest training code, the row itself included (what a deployed scorer sees when it scores its own training rows).</summary>
    LatentKnnIncludingSelf,
    /// <summary>A VAE's negative ELBO: squared error of the mean reconstruction plus KL(q(z|x) ‖ N(0, I)).</summary>
    NegativeElbo,
}

/// <summary>A trained autoencoder's raw outputs on all rows, kept so that several scores share one training.</summary>
internal sealed class AeRun
{
    public required double[][] SquaredErrors { get; init; }
    public required float[][] Latent { get; init; }
    public double[]? Kl { get; init; }
    public required double Seconds { get; init; }
}

internal static class Detectors
{
    private static readonly Dictionary<string, AeRun> Cache = new();

    // Input-space k-NN distances: no seed, shared by every candidate and seed of a set.
    private static readonly Dictionary<string, double[]> KnnCache = new();

    public static MLContext Ml { get; } = new(seed: 0);

    public static void ClearCache()
    {
        Cache.Clear();
        KnnCache.Clear();
    }

    /// <summary>Seconds spent training models that were not in the cache (reset by the caller).</summary>
    public static double FreshSeconds { get; set; }

    public static IDataView ToDataView(float[][] rows)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Length);
        return Ml.Data.LoadFromEnumerable(rows.Select(r => new FeatureRow { Features = r }).ToList(), schema);
    }

    /// <summary>Trains (or reuses) the autoencoder of <paramref name="config"/> on the scaled rows and runs it on them.</summary>
    public static AeRun Run(TabularSet set, Scaling scaling, AeConfig config, int seed, float[][]? trainRows = null, string cacheSuffix = "")
    {
        string key = $"{set.Name}|{scaling}|{config}|{seed}{cacheSuffix}";
        if (Cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var clock = Stopwatch.StartNew();
        var x = Scalers.Apply(set.Rows, scaling);
        int d = set.Width;
        AutoencoderOptions options = config.Variational
            ? new VariationalAutoencoderOptions { HiddenSizes = config.Hidden(d), LatentSize = config.Latent(d), Dropout = config.Dropout }
            : new AutoencoderOptions { HiddenSizes = config.Hidden(d), LatentSize = config.Latent(d), Dropout = config.Dropout };
        var training = new TrainingOptions
        {
            // At least MinimumSteps optimiser steps: small tables get more epochs.
            Epochs = Math.Max(config.Epochs, (int)Math.Ceiling(config.MinimumSteps / Math.Ceiling((trainRows ?? x).Length / (double)config.BatchSize))),
            BatchSize = config.BatchSize,
            LearningRate = config.LearningRate,
            WeightDecay = config.WeightDecay,
            Seed = seed,
            Threads = 1,
            Corruption = config.Noise > 0 ? new CorruptionOptions(new[] { Corruption.Gaussian(config.Noise) }) : null,
        };
        using var model = new AutoencoderTrainer(Ml, options, training).Fit(ToDataView(trainRows ?? x), "Features");
        var latent = config.Variational ? model.EncodeDistribution(x).Mean.ToArray() : model.Encode(x);
        var reconstruction = config.Variational ? model.Decode(latent) : model.Reconstruct(x);
        var errors = new double[x.Length][];
        for (int i = 0; i < x.Length; i++)
        {
            errors[i] = new double[d];
            for (int j = 0; j < d; j++)
            {
                double diff = x[i][j] - reconstruction[i][j];
                errors[i][j] = diff * diff;
            }
        }

        double[]? kl = null;
        if (config.Variational)
        {
            var distribution = model.EncodeDistribution(x);
            kl = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                double sum = 0;
                for (int t = 0; t < distribution.Mean[i].Length; t++)
                {
                    double mu = distribution.Mean[i][t];
                    double logVar = distribution.LogVariance[i][t];
                    sum += 0.5 * (mu * mu + Math.Exp(logVar) - 1 - logVar);
                }

                kl[i] = sum;
            }
        }

        var run = new AeRun { SquaredErrors = errors, Latent = latent, Kl = kl, Seconds = clock.Elapsed.TotalSeconds };
        Cache[key] = run;
        FreshSeconds += run.Seconds;
        return run;
    }

    public static double[] Score(AeRun run, AeScore score)
    {
        var e = run.SquaredErrors;
        int n = e.Length;
        int d = e[0].Length;
        switch (score)
        {
            case AeScore.Plain:
                return e.Select(r => r.Average()).ToArray();
            case AeScore.PerFeature:
                var scale = new double[d];
                for (int j = 0; j < d; j++)
                {
                    var column = e.Select(r => r[j]).OrderBy(v => v).ToArray();
                    double median = Stats.Quantile(column, 0.5);
                    double mean = column.Average();
                    scale[j] = median > 1e-12 ? 1 / median : mean > 1e-12 ? 1 / mean : 1;
                }

                return e.Select(r => r.Select((v, j) => v * scale[j]).Average()).ToArray();
            case AeScore.LatentKnn:
                return Stats.KthNeighbourDistance(run.Latent, 5);
            case AeScore.LatentKnnIncludingSelf:
                return Stats.KthNeighbourDistance(run.Latent, 5, excludeSelf: false);
            case AeScore.NegativeElbo:
                return e.Select((r, i) => r.Sum() + run.Kl![i]).ToArray();
            default:
                throw new ArgumentOutOfRangeException(nameof(score));
        }
    }

    /// <summary>ML.NET's RandomizedPca anomaly detector, rank ⌈d/2⌉ (capped at 20), on raw or standardised features.</summary>
    public static double[] RandomizedPca(TabularSet set, bool standardise)
    {
        var x = standardise ? Scalers.Apply(set.Rows, Scaling.Standard) : set.Rows;
        var data = ToDataView(x);
        int rank = Math.Min(20, (set.Width + 1) / 2);
        var model = Ml.AnomalyDetection.Trainers.RandomizedPca("Features", rank: rank, ensureZeroMean: true, seed: 0).Fit(data);
        return model.Transform(data).GetColumn<float>("Score").Select(v => (double)v).ToArray();
    }

    /// <summary>PCA reconstruction error with d/2 components on standardised features (the reference column).</summary>
    public static double[] PcaReconstruction(TabularSet set)
    {
        var x = Scalers.Apply(set.Rows, Scaling.Standard);
        var pca = PrincipalComponents.Fit(ToDataView(x), Math.Max(1, set.Width / 2), "Features");
        return x.Select(row =>
        {
            var back = pca.Reconstruct(pca.Project(row));
            double sum = 0;
            for (int j = 0; j < row.Length; j++)
            {
                sum += (row[j] - back[j]) * (row[j] - back[j]);
            }

            return sum;
        }).ToArray();
    }

    /// <summary>kNN (k = 5, distance to the 5th neighbour) on standardised features: a check of the data and the AUROC code against the reference.</summary>
    public static double[] Knn(TabularSet set, Scaling scaling, int k = 5)
    {
        string key = $"{set.Name}|{scaling}|{k}";
        if (!KnnCache.TryGetValue(key, out var distances))
        {
            KnnCache[key] = distances = Stats.KthNeighbourDistance(Scalers.Apply(set.Rows, scaling), k);
        }

        return distances;
    }

    /// <summary>Average of rank-normalised scores.</summary>
    public static double[] RankAverage(IEnumerable<double[]> scores)
    {
        double[]? sum = null;
        int count = 0;
        foreach (var s in scores)
        {
            var r = Stats.RankNormalise(s);
            sum ??= new double[r.Length];
            for (int i = 0; i < r.Length; i++)
            {
                sum[i] += r[i];
            }

            count++;
        }

        return sum!.Select(v => v / count).ToArray();
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>Scores of one candidate on one set, and the training seconds of every model it used (cached or not).</summary>
internal sealed record CandidateResult(double[] Scores, double TrainingSeconds = 0);

/// <summary>A detector with one setting for every set; <see cref="Seeded"/> when its result depends on the seed.</summary>
internal sealed record Candidate(string Name, bool Seeded, Func<TabularSet, int, CandidateResult> Score);

internal static class Candidates
{
    /// <summary>One hidden layer of 64, code max(2, d/4), 20 epochs, batch 128, Adam 1e-3.</summary>
    public static readonly AeConfig Base = new("base", d => new[] { 64 }, d => Math.Max(2, d / 4));

    /// <summary>Two hidden layers, code max(2, d/2): more capacity, anomalies reconstructed better.</summary>
    public static readonly AeConfig Wide = new("wide", d => new[] { 128, 64 }, d => Math.Max(2, d / 2));

    /// <summary>Narrow code max(1, d/6), dropout 0.2, 5 epochs: strong regularisation.</summary>
    public static readonly AeConfig Small = new("small", d => new[] { 32 }, d => Math.Max(1, d / 6), Epochs: 5, Dropout: 0.2f);

    /// <summary>Base with Gaussian input noise σ = 0.3 (in scaled units): a denoising autoencoder.</summary>
    public static readonly AeConfig Denoising = Base with { Name = "denoise", Noise = 0.3 };

    /// <summary>Base as a VAE.</summary>
    public static readonly AeConfig Vae = Base with { Name = "vae", Variational = true };

    public static IEnumerable<Candidate> All()
    {
        yield return new Candidate("RandomizedPca (ML.NET, raw)", false, (s, _) => new(Detectors.RandomizedPca(s, standardise: false)));
        yield return new Candidate("RandomizedPca (ML.NET, std)", false, (s, _) => new(Detectors.RandomizedPca(s, standardise: true)));
        yield return new Candidate("PCA recon. d/2 (std)", false, (s, _) => new(Detectors.PcaReconstruction(s)));
        yield return new Candidate("kNN k=5 (std)", false, (s, _) => new(Detectors.Knn(s, Scaling.Standard)));

        foreach (var scaling in new[] { Scaling.Standard, Scaling.MinMax, Scaling.Robust, Scaling.Quantile })
        {
            yield return Ae($"AE {Short(scaling)} plain", scaling, Base, AeScore.Plain);
            yield return Ae($"AE {Short(scaling)} per-feature", scaling, Base, AeScore.PerFeature);
            yield return Ae($"AE {Short(scaling)} latent-kNN", scaling, Base, AeScore.LatentKnn);
        }

        foreach (var scaling in new[] { Scaling.Standard, Scaling.Quantile })
        {
            foreach (var config in new[] { Wide, Small, Denoising })
            {
                yield return Ae($"AE {Short(scaling)} {config.Name} plain", scaling, config, AeScore.Plain);
                yield return Ae($"AE {Short(scaling)} {config.Name} per-feature", scaling, config, AeScore.PerFeature);
            }

            yield return Ae($"VAE {Short(scaling)} neg-ELBO", scaling, Vae, AeScore.NegativeElbo);
            yield return Trimmed($"AE {Short(scaling)} trimmed-refit per-feature", scaling, Base, AeScore.PerFeature, 0.1);
            yield return Ensemble($"Ensemble5 {Short(scaling)} per-feature", scaling, AeScore.PerFeature);
        }
    }

    private static string Short(Scaling s) => s switch
    {
        Scaling.Standard => "std",
        Scaling.MinMax => "minmax",
        Scaling.Robust => "robust",
        _ => "quantile",
    };

    private static Candidate Ae(string name, Scaling scaling, AeConfig config, AeScore score) =>
        new(name, true, (set, seed) =>
        {
            var run = Detectors.Run(set, scaling, config, seed);
            return new(Detectors.Score(run, score), run.Seconds);
        });

    /// <summary>Train, drop the rows scoring in the top <paramref name="fraction"/>, retrain on the rest, score all rows.</summary>
    private static Candidate Trimmed(string name, Scaling scaling, AeConfig config, AeScore score, double fraction) =>
        new(name, true, (set, seed) =>
        {
            var first = Detectors.Run(set, scaling, config, seed);
            var firstScores = Detectors.Score(first, score);
            double cut = Stats.Quantile(firstScores.OrderBy(v => v).ToArray(), 1 - fraction);
            var x = Scalers.Apply(set.Rows, scaling);
            var kept = x.Where((_, i) => firstScores[i] <= cut).ToArray();
            var second = Detectors.Run(set, scaling, config, seed, kept, "|trimmed");
            return new(Detectors.Score(second, score), first.Seconds + second.Seconds);
        });

    /// <summary>Five base-sized autoencoders (codes alternating d/4 and d/2, seeds seed..seed+4), rank-averaged.</summary>
    private static Candidate Ensemble(string name, Scaling scaling, AeScore score) =>
        new(name, true, (set, seed) =>
        {
            var runs = Enumerable.Range(0, 5).Select(m =>
            {
                var config = m % 2 == 0 ? Base : Base with { Name = "base-half", Latent = d => Math.Max(2, d / 2) };
                return Detectors.Run(set, scaling, config, seed + m);
            }).ToList();
            return new(Detectors.RankAverage(runs.Select(r => Detectors.Score(r, score))), runs.Sum(r => r.Seconds));
        });
}

using System;
using System.Collections.Generic;
using System.Linq;
using Autoencoders.ML.Anomaly;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>Scores of one candidate on one set, and the training seconds of every model it used (cached or not).</summary>
internal sealed record CandidateResult(double[] Scores, double TrainingSeconds = 0);

/// <summary>
/// A detector with one setting for every set; <see cref="Seeded"/> when its result depends on the seed. <see cref="Models"/>
/// and <see cref="Parts"/> (trained models, averaged score parts) break ties in issue 27's round 3.
/// </summary>
internal sealed record Candidate(string Name, bool Seeded, Func<TabularSet, int, CandidateResult> Score, int Models = 1, int Parts = 1);

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

    /// <summary>Round 1: every scaling × score on the base AE, regularisation variants, VAE, trimming, ensembles.</summary>
    public static IEnumerable<Candidate> All() => Round1().Concat(Round2()).Concat(Round3()).DistinctBy(c => c.Name);

    /// <summary>Issue 14's default (until issue 27's round 3): a VAE on robust-scaled input, score = rank average of neg-ELBO and latent 5-NN distance.</summary>
    public const string ChosenDefault = "Combo VAE robust: neg-ELBO + latent-kNN";

    /// <summary>The same default through the library's public API (<see cref="AnomalyScorer.Train"/>, then Score on the training rows).</summary>
    public const string LibraryDefault = "Library AnomalyScorer.Train + Score (default)";

    /// <summary>What a plain run prints: the baselines, the main candidates of every round and the chosen default.</summary>
    public static IEnumerable<Candidate> Summary()
    {
        var names = new[]
        {
            "RandomizedPca (ML.NET, raw)", "RandomizedPca (ML.NET, std)", "PCA recon. d/2 (std)", "kNN k=5 (std)", "kNN k=5 (robust)",
            "AE std plain", "AE std per-feature", "AE minmax per-feature", "AE robust latent-kNN",
            "VAE std neg-ELBO", "VAE robust neg-ELBO", "VAE robust latent-kNN", ChosenDefault, LibraryDefault,
        };
        var all = All().ToDictionary(c => c.Name);
        return names.Select(n => all[n]);
    }

    /// <summary>The tables on which issue 27's default is chosen (odd positions of the 22 names in ordinal order; docs/anomaly-defaults.md).</summary>
    public static readonly string[] ChoiceHalf = { "annthyroid", "cardio", "glass", "ionosphere", "lymphography", "mammography", "pima", "spambase", "vertebral", "wdbc", "wpbc" };

    /// <summary>
    /// Issue 27's candidates for the tabular default (docs/anomaly-defaults.md, written before they ran): scaling R/S,
    /// reconstruction part E (VAE negative ELBO) or A (plain AE squared error), C = latent 5-NN, I5/I10 = input k-NN.
    /// </summary>
    public static IEnumerable<Candidate> Defaults()
    {
        var ae = Base with { Name = "base-ae" };
        yield return Mix("1 R: E + C", Scaling.Robust, Vae, latent: true, inputK: 0);
        yield return Mix("2 R: E + C + I5", Scaling.Robust, Vae, latent: true, inputK: 5);
        yield return Mix("3 R: E + I5", Scaling.Robust, Vae, latent: false, inputK: 5);
        yield return Mix("4 S: E + C", Scaling.Standard, Vae, latent: true, inputK: 0);
        yield return Mix("5 S: E + C + I5", Scaling.Standard, Vae, latent: true, inputK: 5);
        yield return Mix("6 S: E + I5", Scaling.Standard, Vae, latent: false, inputK: 5);
        yield return Mix("7 S: E + C + I10", Scaling.Standard, Vae, latent: true, inputK: 10);
        yield return Mix("8 S: A + C + I5", Scaling.Standard, ae, latent: true, inputK: 5);

        // Round 2 (declared after round 1, before it ran): minimum steps, signed-log compression, a seed ensemble.
        var vaeSteps = Vae with { Name = "vae-min3000", MinimumSteps = 3000 };
        yield return Mix("9 R, min3000: E + C", Scaling.Robust, vaeSteps, latent: true, inputK: 0);
        yield return Mix("10 R, min3000: E + C + I5", Scaling.Robust, vaeSteps, latent: true, inputK: 5);
        yield return Mix("11 RL: E + C", Scaling.RobustLog, Vae, latent: true, inputK: 0);
        yield return Mix("12 RL: E + C + I5", Scaling.RobustLog, Vae, latent: true, inputK: 5);
        yield return Mix("13 RL, min3000: E + C", Scaling.RobustLog, vaeSteps, latent: true, inputK: 0);
        yield return Combo("14 R: E + C, 3 seeds", 3, (Scaling.Robust, Vae, AeScore.NegativeElbo), (Scaling.Robust, Vae, AeScore.LatentKnn)) with { Models = 3, Parts = 6 };

        // Round 3 (declared after round 2, before it ran): candidate 2 over three seeds, as candidate 14 is candidate 1.
        yield return SeedEnsembleWithInputKnn("15 R: E + C + I5, 3 seeds", Scaling.Robust, Vae, members: 3, inputK: 5);
    }

    /// <summary>
    /// <paramref name="members"/> models (seeds seed..seed+members-1), each giving its reconstruction part and its latent 5-NN
    /// distance, and the input k-NN distance (which depends on no seed) once: members·2 + 1 parts rank-averaged as equals.
    /// </summary>
    private static Candidate SeedEnsembleWithInputKnn(string name, Scaling scaling, AeConfig config, int members, int inputK) =>
        new(name, true, (set, seed) =>
        {
            var parts = new List<double[]>();
            double seconds = 0;
            for (int m = 0; m < members; m++)
            {
                var run = Detectors.Run(set, scaling, config, seed + m);
                parts.Add(Detectors.Score(run, config.Variational ? AeScore.NegativeElbo : AeScore.Plain));
                parts.Add(Detectors.Score(run, AeScore.LatentKnn));
                seconds += run.Seconds;
            }

            parts.Add(Detectors.Knn(set, scaling, inputK));
            return new(Detectors.RankAverage(parts), seconds);
        }, Models: members, Parts: members * 2 + 1);

    /// <summary>Rank average of a model's reconstruction part, optionally its latent 5-NN distance and the input k-NN distance (same scaling).</summary>
    private static Candidate Mix(string name, Scaling scaling, AeConfig config, bool latent, int inputK) =>
        new(name, true, (set, seed) =>
        {
            var run = Detectors.Run(set, scaling, config, seed);
            var parts = new List<double[]> { Detectors.Score(run, config.Variational ? AeScore.NegativeElbo : AeScore.Plain) };
            if (latent)
            {
                parts.Add(Detectors.Score(run, AeScore.LatentKnn));
            }

            if (inputK > 0)
            {
                parts.Add(Detectors.Knn(set, scaling, inputK));
            }

            return new(Detectors.RankAverage(parts), run.Seconds);
        }, Parts: 1 + (latent ? 1 : 0) + (inputK > 0 ? 1 : 0));

    /// <summary>Round 3: variations of the best single model of round 2 (a VAE on robust-scaled input, neg-ELBO + latent kNN).</summary>
    public static IEnumerable<Candidate> Round3()
    {
        var vaeHalf = Vae with { Name = "vae-half", Latent = d => Math.Max(2, d / 2) };
        var vaeLong = Vae with { Name = "vae-40", Epochs = 40 };
        yield return Combo("Combo VAE robust: neg-ELBO + latent-kNN", 1, (Scaling.Robust, Vae, AeScore.NegativeElbo), (Scaling.Robust, Vae, AeScore.LatentKnn));
        yield return Combo("Combo VAE robust: neg-ELBO + latent-kNN (self incl.)", 1, (Scaling.Robust, Vae, AeScore.NegativeElbo), (Scaling.Robust, Vae, AeScore.LatentKnnIncludingSelf));
        yield return Combo("Combo VAE-half robust: neg-ELBO + latent-kNN", 1, (Scaling.Robust, vaeHalf, AeScore.NegativeElbo), (Scaling.Robust, vaeHalf, AeScore.LatentKnn));
        yield return Combo("Combo VAE-40ep robust: neg-ELBO + latent-kNN", 1, (Scaling.Robust, vaeLong, AeScore.NegativeElbo), (Scaling.Robust, vaeLong, AeScore.LatentKnn));
        yield return Combo("Ensemble3 Combo VAE robust", 3, (Scaling.Robust, Vae, AeScore.NegativeElbo), (Scaling.Robust, Vae, AeScore.LatentKnn));
        yield return new Candidate(LibraryDefault, true, (set, seed) =>
        {
            using var scorer = AnomalyScorer.Train(Detectors.Ml, set.Rows, seed, threads: 1);
            return new(scorer.Score(set.Rows));
        });
        yield return new Candidate("Combo VAE robust + input kNN (robust)", true, (set, seed) =>
        {
            var run = Detectors.Run(set, Scaling.Robust, Vae, seed);
            var parts = new[] { Detectors.Score(run, AeScore.NegativeElbo), Detectors.Score(run, AeScore.LatentKnn), Detectors.Knn(set, Scaling.Robust) };
            return new(Detectors.RankAverage(parts), run.Seconds);
        });
    }

    /// <summary>Round 2: the best of round 1 (robust scaling, latent kNN, VAE) combined, with kNN on robust input as the control.</summary>
    public static IEnumerable<Candidate> Round2()
    {
        yield return new Candidate("kNN k=5 (robust)", false, (s, _) => new(Detectors.Knn(s, Scaling.Robust)));
        yield return Ae("VAE robust neg-ELBO", Scaling.Robust, Vae, AeScore.NegativeElbo);
        yield return Ae("VAE robust latent-kNN", Scaling.Robust, Vae, AeScore.LatentKnn);
        yield return Ae("VAE std latent-kNN", Scaling.Standard, Vae, AeScore.LatentKnn);
        yield return Combo("Combo VAE robust: neg-ELBO + latent-kNN", 1, (Scaling.Robust, Vae, AeScore.NegativeElbo), (Scaling.Robust, Vae, AeScore.LatentKnn));
        yield return Combo("Combo AE robust: per-feature + latent-kNN", 1, (Scaling.Robust, Base, AeScore.PerFeature), (Scaling.Robust, Base, AeScore.LatentKnn));
        yield return Combo("Combo AE robust latent-kNN + VAE std neg-ELBO", 1, (Scaling.Robust, Base, AeScore.LatentKnn), (Scaling.Standard, Vae, AeScore.NegativeElbo));
        yield return Combo("Ensemble3 AE robust latent-kNN", 3, (Scaling.Robust, Base, AeScore.LatentKnn));
    }

    /// <summary>Round 1 candidates.</summary>
    public static IEnumerable<Candidate> Round1()
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

    /// <summary>Rank average of several (scaling, model, score) parts, each trained with seeds seed..seed+members-1.</summary>
    private static Candidate Combo(string name, int members, params (Scaling Scaling, AeConfig Config, AeScore Score)[] parts) =>
        new(name, true, (set, seed) =>
        {
            var runs = new List<AeRun>();
            var scores = new List<double[]>();
            foreach (var part in parts)
            {
                for (int m = 0; m < members; m++)
                {
                    var run = Detectors.Run(set, part.Scaling, part.Config, seed + m);
                    if (!runs.Contains(run))
                    {
                        runs.Add(run);
                    }

                    scores.Add(Detectors.Score(run, part.Score));
                }
            }

            return new(Detectors.RankAverage(scores), runs.Sum(r => r.Seconds));
        });

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

using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Anomaly;
using Microsoft.ML;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>The anomaly score (issue 14): AUROC by ranks, robust scaling, and the default scorer on a synthetic set.</summary>
public sealed class AnomalyScorerTests
{
    [Fact]
    public void ScoringBatchesShrinkSoThatTheNeighbourSearchStaysWithinItsBudget()
    {
        // magic.gamma-sized references (19,020 rows × 10 features): 176 rows a call instead of 256 keep it ≤ 128 MiB.
        Assert.Equal(176, AnomalyScorer.BoundedScoringBatch(256, 19_020L * 10));
        Assert.Equal(256, AnomalyScorer.BoundedScoringBatch(256, 0));          // no neighbour part
        Assert.Equal(256, AnomalyScorer.BoundedScoringBatch(256, 1_000));      // small references: as asked
        Assert.Equal(1, AnomalyScorer.BoundedScoringBatch(256, 1L << 40));     // never below one row
        Assert.True(AnomalyScorer.BoundedScoringBatch(256, 19_020L * 10) * 19_020L * 10 <= AnomalyScorer.NeighbourSearchBudget);
    }

    [Fact]
    public void AurocCountsTiesAsOneHalf()
    {
        Assert.Equal(1.0, AnomalyMetrics.Auroc(new[] { 0.1, 0.2, 0.9 }, new[] { 0, 0, 1 }), 12);
        Assert.Equal(0.0, AnomalyMetrics.Auroc(new[] { 0.9, 0.2, 0.1 }, new[] { 0, 0, 1 }), 12);
        Assert.Equal(0.5, AnomalyMetrics.Auroc(new[] { 1.0, 1.0, 1.0, 1.0 }, new[] { 0, 1, 0, 1 }), 12);
        // one anomaly tied with one of two normals, above the other: (1 + 0.5) / 2
        Assert.Equal(0.75, AnomalyMetrics.Auroc(new[] { 0.0, 1.0, 1.0 }, new[] { 0, 0, 1 }), 12);
        Assert.Throws<ArgumentException>(() => AnomalyMetrics.Auroc(new[] { 0.1, 0.2 }, new[] { 1, 1 }));
        Assert.Throws<ArgumentException>(() => AnomalyMetrics.Auroc(new[] { 0.1, 0.2 }, new[] { 0, 2 }));
    }

    [Fact]
    public void TrainingCdfDoesNotJumpWhenAValueMovesByRounding()
    {
        // Training values one float apart (as near-tied reconstruction errors are): as separate knots, a 1-ulp move of a
        // scored value would cross a whole rank step (2/n here); grouped into one knot it moves the CDF by almost nothing.
        float tie = 0.25f;
        float next = MathF.BitIncrement(tie);
        var values = new double[] { 0.1, 0.2, tie, next, next, 0.4, 0.5, 0.6 };
        var cdf = new EmpiricalCdf(values);
        Assert.Equal(new[] { 0.1f, 0.2f, tie, 0.4f, 0.5f, 0.6f }, cdf.X);
        Assert.Equal((2 + 1.5) / 8, cdf.Y[2], 6); // three values in the group: mid-rank 2 + 3/2 over n
        double step = 1.0 / values.Length;
        foreach (float v in new[] { tie, next, 0.2f, 0.4f })
        {
            float moved = MathF.BitIncrement(MathF.BitIncrement(v));
            Assert.True(Math.Abs(cdf.At(moved) - cdf.At(v)) < 0.01 * step, $"{v}: {cdf.At(v)} → {cdf.At(moved)}");
        }

        // Still monotone and clamped to the end knots; a lone value keeps two equal knots.
        var grid = Enumerable.Range(0, 200).Select(i => cdf.At(i / 250.0)).ToArray();
        Assert.True(grid.Zip(grid.Skip(1)).All(p => p.Second >= p.First));
        Assert.Equal(cdf.Y[0], cdf.At(-1), 6);
        Assert.Equal(cdf.Y[^1], cdf.At(2), 6);
        Assert.Equal(new[] { 3f, 3f }, new EmpiricalCdf(new double[] { 3, 3 }).X);

        // The last group's knot is its largest value: the knots span the training range, and only values above it clamp.
        var top = new EmpiricalCdf(new double[] { 0.1, 0.2, 0.6, MathF.BitIncrement(0.6f) });
        Assert.Equal(MathF.BitIncrement(0.6f), top.X[^1]);
        Assert.True(top.At(0.6f) < top.At(MathF.BitIncrement(0.6f)));
    }

    [Fact]
    public void RobustScalingUsesMedianAndIqrAndFallsBackForBinaryFeatures()
    {
        var rows = Enumerable.Range(0, 101).Select(i => new[] { (float)i, i == 100 ? 1f : 0f }).ToArray();
        var scaling = RobustScaling.Fit(rows);
        Assert.Equal(50f, scaling.Center[0]);
        Assert.Equal(1f / 50f, scaling.Scale[0], 6);
        Assert.Equal(0f, scaling.Center[1]);
        Assert.True(scaling.Scale[1] > 1f, "an IQR of 0 falls back to 1 / standard deviation");
    }

    [Fact]
    public void SignedLogKeepsTheOrderAndCompressesTheTails()
    {
        var rows = Enumerable.Range(0, 101).Select(i => new[] { (float)i, i == 100 ? 1e6f : (float)(i % 2) }).ToArray();
        var plain = RobustScaling.Fit(rows);
        var compressed = RobustScaling.Fit(rows, signedLog: true);
        Assert.True(compressed.SignedLog);
        Assert.NotEqual(plain, compressed);
        Assert.Equal(plain.Center, compressed.Center);
        Assert.Equal(plain.Scale, compressed.Scale);

        var z = plain.Apply(rows);
        var y = compressed.Apply(rows);
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                Assert.Equal(MathF.Sign(z[i][j]) * MathF.Log(MathF.Abs(z[i][j]) + 1f), y[i][j]);
            }
        }

        // order kept within a column, the extreme value pulled in from ~1e6 to ~ln(1e6)
        Assert.True(Enumerable.Range(1, 100).All(i => y[i][0] > y[i - 1][0]));
        Assert.InRange(y[100][1], 1f, 20f);
    }

    [Fact]
    public void DefaultScorerRanksPlantedOutliersHighAndThresholdFollowsContamination()
    {
        var (rows, labels) = PlantedOutliers();
        int n = rows.Length;
        using var scorer = AnomalyScorer.Train(new MLContext(seed: 0), rows, seed: 0, contamination: 0.05, threads: 1);
        Assert.Equal(AnomalyRecipe.Tabular, scorer.Recipe);
        Assert.Contains("table", scorer.RecipeReason);
        // The default (docs/anomaly-defaults.md, round 3): robust scaling without the signed log, the negative ELBO and the
        // distance to the 5th nearest scaled training row, no latent kNN part.
        Assert.False(scorer.InputScaling!.SignedLog);
        Assert.Equal(5, scorer.InputNeighbours);
        Assert.Equal(0, scorer.Neighbours);
        var scores = scorer.Score(rows);
        Assert.Equal(n, scores.Length);
        Assert.All(scores, s => Assert.InRange(s, 0.0, 1.0));
        Assert.True(AnomalyMetrics.Auroc(scores, labels) > 0.9, $"AUROC {AnomalyMetrics.Auroc(scores, labels):F3}");
        Assert.True(AnomalyMetrics.Auroc(scorer.TrainingScores.ToArray(), labels) > 0.9);

        double flagged = scorer.TrainingScores.Count(s => s > scorer.Threshold) / (double)n;
        Assert.InRange(flagged, 0.03, 0.07);
        double before = scorer.Threshold;
        scorer.Contamination = 0.2;
        Assert.True(scorer.Threshold < before, "a larger contamination lowers the threshold, without retraining");
        Assert.Equal(scores, scorer.Score(rows));

        // Saved and loaded, the scorer keeps its recipe and every part of the score.
        string folder = Path.Combine(Path.GetTempPath(), "anomaly-scorer-" + Guid.NewGuid().ToString("N"));
        try
        {
            scorer.Save(folder);
            using var loaded = AnomalyScorer.Load(folder);
            Assert.Equal(AnomalyRecipe.Tabular, loaded.Recipe);
            Assert.Equal(scorer.RecipeReason, loaded.RecipeReason);
            Assert.Equal(scorer.InputNeighbours, loaded.InputNeighbours);
            Assert.Equal(scorer.InputScaling, loaded.InputScaling);
            var again = loaded.Score(rows);
            Assert.All(Enumerable.Range(0, n), i => Assert.Equal(scores[i], again[i], 6));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // A NaN would rank silently in the middle: it is refused, naming the row and the value.
        var damaged = rows.Take(3).Select(r => (float[])r.Clone()).ToArray();
        damaged[2][5] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => scorer.Score(damaged));
        Assert.Contains("Row 2, value 5 is NaN", error.Message);
        Assert.Throws<ArgumentException>(() => scorer.Score(new[] { new float[7] }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void DefaultScorerRanksPlantedOutliersHighAtTheOtherSeedsItWasChosenAt(int seed)
    {
        // The tabular default was admitted only after passing these rows at seeds 0, 1 and 2 (docs/anomaly-defaults.md, round 3).
        var (rows, labels) = PlantedOutliers();
        using var scorer = AnomalyScorer.Train(new MLContext(seed: 0), rows, seed: seed, threads: 1);
        double auroc = AnomalyMetrics.Auroc(scorer.Score(rows), labels);
        Assert.True(auroc > 0.9, $"AUROC {auroc:F3} at seed {seed}");
    }

    // 600 rows near a 2-d plane in 8-d; every 30th row (label 1) is pushed off it.
    private static (float[][] Rows, int[] Labels) PlantedOutliers()
    {
        var random = new Random(1);
        int n = 600;
        var rows = new float[n][];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            // normal rows lie near a 2-d plane in 8-d; every 30th row is off it
            double a = random.NextDouble() * 4 - 2;
            double b = random.NextDouble() * 4 - 2;
            bool outlier = i % 30 == 0;
            labels[i] = outlier ? 1 : 0;
            rows[i] = Enumerable.Range(0, 8).Select(j => (float)((j % 2 == 0 ? a : b) * (1 + (j / 2)) + (random.NextDouble() - 0.5) * 0.05 + (outlier ? (random.NextDouble() - 0.5) * 8 : 0))).ToArray();
        }

        return (rows, labels);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.Clustering;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Xunit.Abstractions;
using TorchSharp;

using static Autoencoders.ML.Tests.OnnxCheck;

namespace Autoencoders.ML.Tests;

/// <summary>
/// Four well-separated Gaussian clusters in 24 dimensions, seen through a fixed random nonlinear map, and one small
/// mixture VAE (K = 4, 2-d latent) trained once on them.
/// </summary>
public sealed class SyntheticClustersFixture : IDisposable
{
    public const int Clusters = 4;
    public const int Width = 24;

    public SyntheticClustersFixture()
    {
        (Rows, Labels) = Make(1200, seed: 3);
        Ml = new MLContext(seed: 0);
        var options = new MixtureAutoencoderOptions
        {
            Clusters = Clusters,
            HiddenSizes = new[] { 32 },
            LatentSize = 2,
            PretrainEpochs = 5,
        };
        var training = new TrainingOptions { Epochs = 15, BatchSize = 64, Seed = 1, CompareWithPca = false };
        Model = new AutoencoderTrainer(Ml, options, training).Fit(Vectors.ToDataView(Ml, Rows));
    }

    public MLContext Ml { get; }

    public float[][] Rows { get; }

    public int[] Labels { get; }

    public AutoencoderModel Model { get; }

    /// <summary>Rows of <see cref="Width"/> values: a cluster centre in 4-d (±3 per axis), unit noise, then tanh of a fixed linear map.</summary>
    public static (float[][] Rows, int[] Labels) Make(int count, int seed)
    {
        var random = new Random(seed);
        var centres = new double[Clusters][];
        for (int k = 0; k < Clusters; k++)
        {
            centres[k] = Enumerable.Range(0, 4).Select(j => j == k ? 4.0 : 0.0).ToArray();
        }

        var map = new Random(42);
        var weights = Enumerable.Range(0, Width).Select(_ => Enumerable.Range(0, 4).Select(_ => (map.NextDouble() * 2) - 1).ToArray()).ToArray();
        var rows = new float[count][];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int k = i % Clusters;
            var point = centres[k].Select(c => c + Gaussian(random) * 0.5).ToArray();
            rows[i] = weights.Select(w => (float)Math.Tanh(w.Zip(point, (a, b) => a * b).Sum() / 2)).ToArray();
            labels[i] = k;
        }

        return (rows, labels);
    }

    public void Dispose() => Model.Dispose();

    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>The Gaussian-mixture VAE: clusters, collapse guard, loss parts, ONNX parity, the ML.NET transform and sampling.</summary>
public sealed class MixtureVaeTests : IClassFixture<SyntheticClustersFixture>
{
    private readonly SyntheticClustersFixture fixture;
    private readonly ITestOutputHelper output;

    public MixtureVaeTests(SyntheticClustersFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
    }

    [Fact]
    public void ComponentsStayPopulatedAndRecoverSeparatedClusters()
    {
        var (rows, labels) = SyntheticClustersFixture.Make(800, seed: 11); // fresh rows from the same clusters
        int[] predicted = fixture.Model.PredictCluster(rows);
        double accuracy = ClusterMatching.Accuracy(predicted, labels);
        var sizes = Enumerable.Range(0, SyntheticClustersFixture.Clusters).Select(k => predicted.Count(p => p == k)).ToArray();
        output.WriteLine($"accuracy {accuracy:F4}, component sizes {string.Join(", ", sizes)}");
        Assert.True(accuracy >= 0.95, $"accuracy {accuracy:F4}");
        Assert.All(sizes, size => Assert.True(size >= 800 / SyntheticClustersFixture.Clusters / 2, $"a component holds only {size} of 800 rows"));
        var probabilities = fixture.Model.ClusterProbabilities(rows.Take(5).ToArray());
        Assert.All(probabilities, p => Assert.Equal(1.0, p.Sum(), 4));
    }

    [Fact]
    public void HistoryReportsTheThreeLossParts()
    {
        var epoch = fixture.Model.History.Epochs[^1];
        Assert.Equal(
            new[] { MixtureAutoencoderNetwork.ClusterKlPart, MixtureAutoencoderNetwork.KlPart, LossBreakdown.Reconstruction },
            epoch.TrainingLossParts.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.All(epoch.TrainingLossParts.Values, v => Assert.True(double.IsFinite(v) && v >= 0));
        Assert.Equal("gmvae", fixture.Model.Kind);
        Assert.Equal(Autoencoders.ML.Kinds.ModelKind.GaussianMixture, fixture.Model.ModelKind);
        Assert.True(fixture.Model.IsMixture && !fixture.Model.IsVariational);
    }

    [Fact]
    public void EncoderGraphGivesClusterProbabilitiesAndMetadataGivesThePrior()
    {
        var model = fixture.Model;
        var rows = fixture.Rows.Take(300).ToArray();
        using var encoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Encoder));
        Assert.Equal(new[] { OnnxNames.Mean, OnnxNames.LogVariance, MixtureOnnx.ClusterProbabilities, MixtureOnnx.Cluster, MixtureOnnx.ClusterScore }, encoder.OutputNames);
        Assert.Equal(SyntheticClustersFixture.Clusters, encoder.OutputMetadata[MixtureOnnx.ClusterProbabilities].Dimensions[1]);
        foreach (var batch in new[] { rows, new[] { rows[7] } })
        {
            var fromEncoder = Run(encoder, OnnxNames.Features, batch);
            double difference = MaxAbsDifference(model.ClusterProbabilities(batch), fromEncoder[MixtureOnnx.ClusterProbabilities]);
            output.WriteLine($"cluster_probabilities@{batch.Length}: {difference:E2}");
            Assert.True(difference <= Tolerance, $"cluster_probabilities differ by {difference:E2}");
            Assert.Equal(model.PredictCluster(batch).Select(c => (float)c), fromEncoder[MixtureOnnx.Cluster]);
        }

        // The metadata alone is enough to sample per component: its prior equals the model's.
        var metadata = encoder.ModelMetadata.CustomMetadataMap;
        Assert.Equal("4", metadata["clusters"]);
        Assert.Equal("gaussian_mixture", metadata["prior"]);
        var means = JsonSerializer.Deserialize<float[][]>(metadata["prior_means"])!;
        var logVariances = JsonSerializer.Deserialize<float[][]>(metadata["prior_log_variances"])!;
        var weights = JsonSerializer.Deserialize<float[]>(metadata["mixture_weights"])!;
        var prior = model.Prior;
        Assert.Equal(prior.Means.SelectMany(m => m), means.SelectMany(m => m));
        Assert.Equal(prior.LogVariances.SelectMany(m => m), logVariances.SelectMany(m => m));
        Assert.Equal(prior.Weights, weights);
        Assert.Equal(0.25, weights[0], 5); // fixed uniform weights by default
    }

    [Fact]
    public void ClusteringTransformFeedsMlNetsEvaluatorAndSurvivesSaving()
    {
        var ml = fixture.Ml;
        var rows = fixture.Rows.Take(400).ToArray();
        var labels = fixture.Labels.Take(400).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows.Select((r, i) => new LabelledRow { Features = r, Label = (uint)labels[i] + 1 }), LabelledRow.Schema());
        var transformer = ml.Transforms.ClusterWithMixture(fixture.Model).Fit(data);
        var scored = transformer.Transform(data);
        var metrics = ml.Clustering.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score");
        output.WriteLine($"NMI {metrics.NormalizedMutualInformation:F4}");
        Assert.True(metrics.NormalizedMutualInformation > 0.85, $"NMI {metrics.NormalizedMutualInformation:F4}");

        var keyType = Assert.IsType<KeyDataViewType>(scored.Schema["PredictedLabel"].Type);
        Assert.Equal((ulong)SyntheticClustersFixture.Clusters, keyType.Count);
        var predicted = scored.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray();
        Assert.Equal(fixture.Model.PredictCluster(rows), predicted);

        string path = Path.Combine(Path.GetTempPath(), $"gmvae-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(transformer, data.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            var reloaded = loaded.Transform(data);
            // After loading, the stage is ML.NET's OnnxTransformer: the scalar comes back as a one-element key vector.
            var again = reloaded.GetColumn<VBuffer<uint>>("PredictedLabel").Select(k => (int)k.GetValues()[0] - 1).ToArray();
            Assert.Equal(predicted, again);
            Assert.Equal(metrics.NormalizedMutualInformation, ml.Clustering.Evaluate(reloaded, labelColumnName: "Label", scoreColumnName: "Score").NormalizedMutualInformation, 10);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SamplesOfAComponentAreEncodedBackIntoIt()
    {
        var model = fixture.Model;
        for (int k = 0; k < SyntheticClustersFixture.Clusters; k++)
        {
            var samples = model.SampleMixture(100, seed: 5, component: k);
            int back = model.PredictCluster(samples).Count(c => c == k);
            output.WriteLine($"component {k}: {back}/100 encoded back into it");
            Assert.True(back >= 80, $"component {k}: only {back}/100 samples encode back into it");
        }

        Assert.Equal(model.SampleMixture(10, seed: 2), model.SampleMixture(10, seed: 2));
        var view = fixture.Ml.Data.SampleFromMixture(model, 10, component: 1, seed: 2);
        Assert.Equal(model.SampleMixture(10, seed: 2, component: 1), view.GetColumn<float[]>("Generated").ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => model.SampleMixture(1, 0, component: 4));
    }

    [Fact]
    public void SavedModelKeepsThePriorAndTheClusters()
    {
        string path = Path.Combine(Path.GetTempPath(), $"gmvae-model-{Guid.NewGuid():N}");
        try
        {
            fixture.Model.Save(path);
            using var loaded = AutoencoderModel.Load(path);
            Assert.True(loaded.IsMixture);
            Assert.Equal(4, loaded.Clusters);
            var rows = fixture.Rows.Take(50).ToArray();
            Assert.Equal(fixture.Model.ClusterProbabilities(rows), loaded.ClusterProbabilities(rows));
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }
    }

    [Fact]
    public void HungarianMatchingFindsTheBestOneToOneMatch()
    {
        // Clusters are a permutation of the labels except two rows: accuracy 8/10 whatever the cluster numbering.
        int[] labels = { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4 };
        int[] clusters = { 3, 3, 0, 0, 4, 1, 2, 2, 1, 4 };
        Assert.Equal(0.8, ClusterMatching.Accuracy(clusters, labels), 10);
        Assert.Throws<ArgumentException>(() => ClusterMatching.Accuracy(new[] { 0 }, new[] { 0, 1 }));
    }

    [Fact]
    public void ExpectationMaximizationRecoversTheMeansAndSpreadsOfTwoGaussians()
    {
        // 2,000 points in 2-d: half around (−2, 0) with σ = 0.3, half around (3, 1) with σ = 1; the start is off
        // (means at ±1, unit variances), as a k-means on overlapping clusters would leave it.
        var random = new Random(5);
        var points = Enumerable.Range(0, 2000).SelectMany(i => i % 2 == 0
            ? new[] { (float)(-2 + (0.3 * SyntheticClustersFixture.Gaussian(random))), (float)(0.3 * SyntheticClustersFixture.Gaussian(random)) }
            : new[] { (float)(3 + SyntheticClustersFixture.Gaussian(random)), (float)(1 + SyntheticClustersFixture.Gaussian(random)) }).ToArray();
        using var codes = torch.tensor(points, new long[] { 2000, 2 });
        using var means = torch.tensor(new float[] { -1, 0, 1, 0 }, new long[] { 2, 2 });
        using var logVariances = torch.zeros(2, 2);
        using var weights = torch.tensor(new[] { 0.5f, 0.5f });
        var (mu, logVar, pi) = GaussianMixtureFit.Refine(codes, means, logVariances, weights, iterations: 50, learnWeights: true, minimumVariance: 1e-2f);
        using (mu)
        using (logVar)
        using (pi)
        {
            var m = mu.data<float>().ToArray();
            var sd = logVar.exp().sqrt().data<float>().ToArray();
            Assert.Equal(new[] { -2f, 0f, 3f, 1f }, m, (a, b) => Math.Abs(a - b) < 0.15);
            Assert.Equal(new[] { 0.3f, 0.3f, 1f, 1f }, sd, (a, b) => Math.Abs(a - b) < 0.1);
            Assert.Equal(0.5, pi.data<float>()[0], 2);
        }

        // The likelihood that picks among restarts: one standard normal at 0 gives log N(0 | 0, 1) = −½·log 2π per row,
        // and the refined fit is more likely than its start.
        using (var origin = torch.zeros(3, 1))
        using (var unit = torch.zeros(1, 1))
        using (var one = torch.ones(1))
        {
            Assert.Equal(-0.5 * Math.Log(2 * Math.PI), GaussianMixtureFit.MeanLogLikelihood(origin, unit, unit, one), 5);
        }

        using (var half = torch.tensor(new[] { 0.5f, 0.5f }))
        {
            var (m2, lv2, w2) = GaussianMixtureFit.Refine(codes, means, logVariances, weights, iterations: 50, learnWeights: true, minimumVariance: 1e-2f);
            Assert.True(GaussianMixtureFit.MeanLogLikelihood(codes, m2, lv2, w2) > GaussianMixtureFit.MeanLogLikelihood(codes, means, logVariances, half) + 0.5);
        }

        // Zero steps give the start back; uniform weights stay uniform when they are not learned.
        var (same, _, uniform) = GaussianMixtureFit.Refine(codes, means, logVariances, torch.tensor(new[] { 0.9f, 0.1f }), 0, learnWeights: false, 1e-2f);
        Assert.Equal(new[] { -1f, 0f, 1f, 0f }, same.data<float>().ToArray());
        Assert.Equal(new[] { 0.5f, 0.5f }, uniform.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void BadOptionsAreRefusedWithTheirName()
    {
        Assert.Contains("Clusters", Assert.Throws<ArgumentOutOfRangeException>(() => new MixtureAutoencoderOptions { Clusters = 1 }).Message);
        Assert.Contains("InitialEmIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new MixtureAutoencoderOptions { InitialEmIterations = -1 }).Message);
        Assert.Contains("InitialRestarts", Assert.Throws<ArgumentOutOfRangeException>(() => new MixtureAutoencoderOptions { InitialRestarts = 0 }).Message);
        var options = new MixtureAutoencoderOptions { Clusters = 50, HiddenSizes = new[] { 8 }, LatentSize = 2, PretrainEpochs = 0 };
        var trainer = new AutoencoderTrainer(fixture.Ml, options, new TrainingOptions { Epochs = 1, Seed = 0 });
        var error = Assert.ThrowsAny<ArgumentException>(() => trainer.Fit(Vectors.ToDataView(fixture.Ml, fixture.Rows.Take(30).ToArray())));
        Assert.Contains("at least 50 training rows", error.Message);
    }

    [Fact]
    public void MutualInformationOfClusterPosteriorsIsLogKWhenSureAndBalancedAndZeroWhenIndependent()
    {
        // 400 rows sure of one of 4 clusters, 100 each, under both views: I = log 4.
        using var sure = torch.nn.functional.one_hot(torch.arange(400) % 4, 4).to_type(torch.ScalarType.Float32);
        Assert.Equal(Math.Log(4), MixtureMath.MutualInformation(sure, sure).ToDouble(), 3);
        // The second view knows nothing of the first (uniform): I = 0.
        using var uniform = torch.full(400, 4, 0.25f);
        Assert.Equal(0, MixtureMath.MutualInformation(sure, uniform).ToDouble(), 3);
        // Every row in one cluster (collapse): I = 0 as well; the term cannot be gained by collapsing.
        using var collapsed = torch.nn.functional.one_hot(torch.zeros(400, torch.ScalarType.Int64), 4).to_type(torch.ScalarType.Float32);
        Assert.Equal(0, MixtureMath.MutualInformation(collapsed, collapsed).ToDouble(), 3);
        // The marginal entropies that ConsistencyBalance weighs: 2·log 4 when the clusters are used equally, 0 when collapsed.
        Assert.Equal(2 * Math.Log(4), MixtureMath.Consistency(sure, sure).MarginalEntropy.ToDouble(), 3);
        Assert.Equal(0, MixtureMath.Consistency(collapsed, collapsed).MarginalEntropy.ToDouble(), 3);
        // 300 rows in cluster 0, 100 in cluster 1: lower than the balanced split.
        using var lopsided = torch.nn.functional.one_hot(torch.cat(new[] { torch.zeros(300, torch.ScalarType.Int64), torch.ones(100, torch.ScalarType.Int64) }), 4).to_type(torch.ScalarType.Float32);
        double expected = -2 * ((0.75 * Math.Log(0.75)) + (0.25 * Math.Log(0.25)));
        Assert.Equal(expected, MixtureMath.Consistency(lopsided, lopsided).MarginalEntropy.ToDouble(), 3);
    }

    [Fact]
    public void ConsistencyNeedsAugmentationAndIsReportedInTheHistory()
    {
        Assert.Contains("ConsistencyWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new MixtureAutoencoderOptions { ConsistencyWeight = -1 }).Message);
        // Recipe Tabular: the image recipe would set λ = 200 where this test turns the term off (ConsistencyWeight = 0 below).
        var options = new MixtureAutoencoderOptions { Clusters = 4, HiddenSizes = new[] { 32 }, LatentSize = 2, PretrainEpochs = 1, ConsistencyWeight = 5, Recipe = MixtureAutoencoderOptions.RecipeKind.Tabular };
        var noMoves = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(fixture.Ml, options, new TrainingOptions { Epochs = 1 }));
        Assert.Equal("ConsistencyWeight", noMoves.ParamName);
        Assert.Contains("TrainingOptions.Augmentation", noMoves.Message);

        // 200 MNIST digits seen as 1×28×28 images: the history reports I(y; y′), between 0 and log 4, and the term
        // changes what is learned (same seed and moves without it: other weights).
        var training = new TrainingOptions { Epochs = 2, Seed = 0, CompareWithPca = false, Augmentation = new ImageAugmentation(new Autoencoders.ML.Architecture.ImageShape(1, 28, 28), 2, 10) };
        var digits = Mnist.TrainView(fixture.Ml, 200);
        using var model = new AutoencoderTrainer(fixture.Ml, options, training).Fit(digits);
        double information = model.History.Epochs[^1].TrainingLossParts[MixtureAutoencoderNetwork.ConsistencyPart];
        Assert.InRange(information, 0, Math.Log(4));
        options.ConsistencyWeight = 0;
        using var without = new AutoencoderTrainer(fixture.Ml, options, training).Fit(digits);
        Assert.False(without.History.Epochs[^1].TrainingLossParts.ContainsKey(MixtureAutoencoderNetwork.ConsistencyPart));
        float[][] some = Mnist.Test(3);
        Assert.NotEqual(model.Encode(some), without.Encode(some));

        // A balance above 1 weighs the clusters' equal use more: another model, the same reported I's meaning.
        Assert.Contains("ConsistencyBalance", Assert.Throws<ArgumentOutOfRangeException>(() => new MixtureAutoencoderOptions { ConsistencyBalance = 0.5 }).Message);
        options.ConsistencyWeight = 5;
        options.ConsistencyBalance = 3;
        using var balanced = new AutoencoderTrainer(fixture.Ml, options, training).Fit(digits);
        Assert.InRange(balanced.History.Epochs[^1].TrainingLossParts[MixtureAutoencoderNetwork.ConsistencyPart], 0, Math.Log(4));
        Assert.NotEqual(model.Encode(some), balanced.Encode(some));
    }

    private sealed class LabelledRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public uint Label { get; set; }

        public static SchemaDefinition Schema()
        {
            var schema = SchemaDefinition.Create(typeof(LabelledRow));
            schema[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, SyntheticClustersFixture.Width);
            schema[nameof(Label)].ColumnType = new KeyDataViewType(typeof(uint), SyntheticClustersFixture.Clusters);
            return schema;
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.Anomaly;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Data;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>
/// Issue 26's reload contract for the task transforms (detector, classifier, clusters): saved with
/// <c>mlContext.Model.Save</c>, reloaded with <c>LoadAutoencoderPipeline</c> in another process, each comes back as
/// itself — same type, column types, values and settings; stock <c>mlContext.Model.Load</c> (a process without this
/// assembly) scores the same, and the classifier's label maps back with <c>MapKeyToValue</c> (issue 28, finding 9).
/// </summary>
public sealed class TaskReloadTests : IClassFixture<SyntheticClustersFixture>, IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly SyntheticClustersFixture clusters;
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-task-reload-{Guid.NewGuid():N}");

    public TaskReloadTests(SyntheticClustersFixture clusters)
    {
        this.clusters = clusters;
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void DetectorComesBackAsItselfWithItsThresholdAndContamination()
    {
        var ml = new MLContext(seed: 0);
        var data = AnomalyDetectorTests.LoadThyroid(ml);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ml.Log += (_, e) => log.Enqueue(e.Message);
        using var fitted = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyTrainer.Options { Contamination = 0.05, Threads = 1, ScoringBatchSize = 100 }).Fit(data);
        Assert.Contains(log, m => m.Contains("Autoencoders.ML", StringComparison.Ordinal)); // the training logs reach the user's MLContext
        using var original = fitted.WithContamination(0.02);
        string zip = Path.Combine(folder, "detector.zip");
        ml.Model.Save(original, data.Schema, zip);
        var request = new ReloadProcess.Request { Rows = data.GetColumn<float[]>("Features").Take(400).ToArray() };
        var expected = ReloadProcess.Describe(ml, original.Transform(request.ToDataView(ml)));
        Assert.Equal("Single", expected.Types["Score"]);
        Assert.Equal("Boolean", expected.Types["PredictedLabel"]);
        Assert.Contains(1f, expected.Columns["PredictedLabel"].Select(v => v[0]));

        var reloaded = ReloadProcess.Run(folder, zip, request);
        Assert.Equal(new[] { nameof(AutoencoderAnomalyTransformer) }, reloaded.Stages);
        AssertSame(expected, reloaded);
        Assert.Equal(Settings(original), reloaded.Settings);
        Assert.Equal("0.02", reloaded.Settings["AutoencoderAnomalyTransformer.Contamination"]);
        Assert.Equal("100", reloaded.Settings["AutoencoderAnomalyTransformer.ScoringBatchSize"]);

        // Here too, and the threshold can still move without retraining.
        using (var loaded = Assert.IsType<AutoencoderAnomalyTransformer>(new MLContext().Model.LoadAutoencoderPipeline(zip, out _)))
        using (var moved = loaded.WithThreshold(0.6))
        using (var movedOriginal = original.WithThreshold(0.6))
        {
            var rows = request.ToDataView(ml);
            Assert.Equal(movedOriginal.Transform(rows).GetColumn<bool>("PredictedLabel"), moved.Transform(rows).GetColumn<bool>("PredictedLabel"));
            Assert.Null(moved.Contamination);
            Assert.Equal(original.Scorer.TrainingScores, loaded.Scorer.TrainingScores);
        }

        // A folder or a zip of its own: Save / Load give the same detector, a changed byte is refused naming the file.
        foreach (string path in new[] { Path.Combine(folder, "detector"), Path.Combine(folder, "detector-model.zip") })
        {
            original.Save(path);
            using var back = AutoencoderAnomalyTransformer.Load(path);
            Assert.Equal(Settings(original), Settings(back));
            AssertSame(expected, ReloadProcess.Describe(ml, back.Transform(request.ToDataView(ml))));
            using var scorer = AnomalyScorer.Load(path);
            Assert.Equal(original.Scorer.Score(request.Rows), scorer.Score(request.Rows));
            Assert.Equal(original.Scorer.Threshold, scorer.Threshold);
        }

        string state = Path.Combine(folder, "detector", "anomaly_scorer.json");
        File.WriteAllText(state, File.ReadAllText(state).Replace("\"InputNeighbours\":5", "\"InputNeighbours\":4", StringComparison.Ordinal));
        var damaged = Assert.Throws<InvalidDataException>(() => AutoencoderAnomalyTransformer.Load(Path.Combine(folder, "detector")));
        Assert.Contains("anomaly_scorer.json", damaged.Message, StringComparison.Ordinal);

        // Stock ML.NET, without this assembly: Score is a one-element vector. One row per ONNX Runtime call there rounds
        // the matrix products differently in the last bit, which the CDF keeps below 1e-4 (AnomalyDetectorTests).
        var stock = RunStock(zip, request);
        Assert.Equal(expected.Columns["PredictedLabel"], stock.Columns["PredictedLabel"]);
        Assert.True(TransformTests.MaxAbsDifference(expected.Columns["Score"], stock.Columns["Score"]) <= 1e-4);
    }

    [Fact]
    public void ClassifierComesBackAsItselfAndItsLabelMapsBackAfterAStockLoad()
    {
        var ml = new MLContext(seed: 0);
        using var pretrained = new AutoencoderTrainer(
                ml, new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 8 },
                new TrainingOptions { Epochs = 2, BatchSize = 64, Seed = 1, ValidationFraction = 0, CompareWithPca = false })
            .Fit(Labeled(ml, 400, skip: 2000));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Labeled(ml, 300));
        var trainer = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
        {
            Pretrained = pretrained,
            FineTuning = new FineTuningOptions { HeadSteps = 5, Steps = 30, BatchSize = 32, UnlabeledBatchSize = 16 },
            Seed = 2,
            ScoreColumnName = "Probabilities",
            ScoringBatchSize = 64,
        });
        using var classifier = trainer.Fit(keys.Transform(Labeled(ml, 300)));
        var pipeline = keys.Append(classifier);
        string zip = Path.Combine(folder, "classifier.zip");
        ml.Model.Save(pipeline, Labeled(ml, 1).Schema, zip);

        var test = Labeled(ml, 200, skip: 1000);
        var request = new ReloadProcess.Request { Rows = test.GetColumn<float[]>("Features").ToArray(), Labels = test.GetColumn<float>("Label").ToArray() };
        var expected = ReloadProcess.Describe(ml, pipeline.Transform(request.ToDataView(ml)));
        Assert.Equal("Vector<Single, 10>", expected.Types["Probabilities"]);
        Assert.StartsWith("Key<UInt32", expected.Types["PredictedLabel"]);
        Assert.Equal("Single", expected.Types["PredictedLabel.Value"]); // the label's own values, not text

        var reloaded = ReloadProcess.Run(folder, zip, request);
        Assert.Equal(new[] { "ValueToKeyMappingTransformer", nameof(AutoencoderClassifierTransformer) }, reloaded.Stages);
        AssertSame(expected, reloaded);
        Assert.Equal(Settings(classifier), reloaded.Settings);

        // A folder or a zip of its own: AutoencoderClassifier.Load gives the same classifier.
        var rows = request.Rows.Take(50).ToArray();
        foreach (string path in new[] { Path.Combine(folder, "classifier"), Path.Combine(folder, "classifier-model.zip") })
        {
            classifier.Classifier.Save(path);
            using var back = AutoencoderClassifier.Load(path);
            Assert.Equal(classifier.Classifier.PredictProbabilities(rows), back.PredictProbabilities(rows));
            Assert.Equal(classifier.Classifier.Classes.Text, back.Classes.Text);
            Assert.Equal(classifier.Classifier.TrainingLoss, back.TrainingLoss);
            Assert.Equal(classifier.Classifier.ToOnnx(), back.ToOnnx());
        }

        // Stock ML.NET, without this assembly: PredictedLabel is a one-element vector of the same key, and
        // MapKeyToValue gives the same classes (it failed before: "KeyValues metadata size does not match").
        var stock = RunStock(zip, request);
        // (ML.NET's ValueMapping makes a vector input's output variable-length: the type is Vector<Key<UInt32, 0-9>>.)
        Assert.StartsWith($"Vector<{expected.Types["PredictedLabel"]}", stock.Types["PredictedLabel"], StringComparison.Ordinal);
        Assert.Equal(expected.Types["PredictedLabel.Value"], stock.Types["PredictedLabel.Value"].Replace("Vector<", string.Empty, StringComparison.Ordinal).TrimEnd('>'));
        Assert.Equal(expected.Columns["PredictedLabel"], stock.Columns["PredictedLabel"]);
        Assert.Equal(expected.Labels["PredictedLabel"], stock.Labels["PredictedLabel"]);
        Assert.True(TransformTests.MaxAbsDifference(expected.Columns["Probabilities"], stock.Columns["Probabilities"]) <= Tolerance);
    }

    [Fact]
    public void ClustersComeBackAsItself()
    {
        var ml = clusters.Ml;
        var rows = clusters.Rows.Take(300).ToArray();
        var request = new ReloadProcess.Request { Rows = rows };
        var data = request.ToDataView(ml);
        using var original = ml.Transforms.ClusterWithMixture(clusters.Model, scoringBatchSize: 128).Fit(data);
        Assert.IsType<MixtureClusterTransformer>(original);
        string zip = Path.Combine(folder, "clusters.zip");
        ml.Model.Save(original, data.Schema, zip);
        var expected = ReloadProcess.Describe(ml, original.Transform(data));
        Assert.Equal("Vector<Single, 4>", expected.Types["ClusterProbabilities"]);
        Assert.Equal("Key<UInt32, 0-3>", expected.Types["PredictedLabel"]);

        var reloaded = ReloadProcess.Run(folder, zip, request);
        Assert.Equal(new[] { nameof(MixtureClusterTransformer) }, reloaded.Stages);
        AssertSame(expected, reloaded);
        Assert.Equal(Settings(original), reloaded.Settings);
        Assert.Equal("128", reloaded.Settings["MixtureClusterTransformer.ScoringBatchSize"]);

        using (var loaded = Assert.IsType<MixtureClusterTransformer>(new MLContext().Model.LoadAutoencoderPipeline(zip, out _)))
        {
            Assert.Equal(clusters.Model.ClusterProbabilities(rows), loaded.Model.ClusterProbabilities(rows));
        }

        var stock = RunStock(zip, request);
        Assert.Equal(expected.Columns["PredictedLabel"], stock.Columns["PredictedLabel"]);
        Assert.Equal(expected.Labels["PredictedLabel"], stock.Labels["PredictedLabel"]);
        Assert.True(TransformTests.MaxAbsDifference(expected.Columns["ClusterProbabilities"], stock.Columns["ClusterProbabilities"]) <= Tolerance);
    }

    [Theory]
    [InlineData("autoencoders_ml.transform", "\"ScoringBatchSize\":128", "\"ScoringBatchSize\":129")]
    [InlineData("autoencoders_ml.model_json", "\"latentSize\": 2", "\"latentSize\": 3")]
    public void AChangedByteOfATasksMetadataIsRefusedNamingTheEntry(string key, string from, string to)
    {
        var ml = clusters.Ml;
        var data = Vectors.ToDataView(ml, clusters.Rows.Take(10).ToArray());
        using var original = ml.Transforms.ClusterWithMixture(clusters.Model, scoringBatchSize: 128).Fit(data);
        string zip = Path.Combine(folder, "damaged.zip");
        ml.Model.Save(original, data.Schema, zip);
        const string entryName = "TransformerChain/Transform_000/OnnxModel";
        PipelineZip.EditGraph(zip, entryName, proto =>
        {
            var property = proto.MetadataProps.Single(p => p.Key == key);
            Assert.Contains(from, property.Value, StringComparison.Ordinal);
            property.Value = property.Value.Replace(from, to, StringComparison.Ordinal);
        });

        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadAutoencoderPipeline(zip, out _));
        Assert.Contains($"damaged.zip!{entryName}", e.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }

    private static IDataView Labeled(MLContext ml, int rows, int skip = 0)
    {
        var all = ml.Data.LoadFromIdx(Mnist.PathOf("train-images-idx3-ubyte.gz"), Mnist.PathOf("train-labels-idx1-ubyte.gz"), scale: 1f / 255, maxRows: rows + skip);
        return skip == 0 ? all : ml.Data.SkipRows(all, skip);
    }

    private static Dictionary<string, string> Settings(ScoringTransformer task) => ReloadProcess.Settings(task).ToDictionary(p => p.Key, p => p.Value);

    private static void AssertSame(ReloadProcess.Result expected, ReloadProcess.Result actual)
    {
        Assert.Equal(expected.Types, actual.Types);
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Columns.Keys.OrderBy(k => k), actual.Columns.Keys.OrderBy(k => k));
        foreach (var (name, values) in expected.Columns)
        {
            double difference = TransformTests.MaxAbsDifference(values, actual.Columns[name]);
            Assert.True(difference <= Tolerance, $"column {name} differs by {difference:E2} after reloading");
        }
    }

    private ReloadProcess.Result RunStock(string zip, ReloadProcess.Request request)
    {
        string input = Path.Combine(folder, $"stock-input-{Guid.NewGuid():N}.json");
        string output = Path.Combine(folder, $"stock-output-{Guid.NewGuid():N}.json");
        File.WriteAllText(input, JsonSerializer.Serialize(new { column = request.Column, rows = request.Rows, labels = request.Labels }));
        PersistenceTests.RunLoadCheck(zip, input, output);
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        var root = json.RootElement;
        return new ReloadProcess.Result
        {
            Stages = root.GetProperty("stages").Deserialize<string[]>()!,
            Types = root.GetProperty("types").Deserialize<Dictionary<string, string>>()!,
            Columns = root.GetProperty("columns").Deserialize<Dictionary<string, float[][]>>()!,
            Labels = root.GetProperty("labels").Deserialize<Dictionary<string, string[]>>()!,
        };
    }
}

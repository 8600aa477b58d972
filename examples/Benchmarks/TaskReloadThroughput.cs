using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Autoencoders.ML.Anomaly;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples;

/// <summary>
/// Scoring each saved task (the anomaly detector, the classifier, the mixture clusterer) over all 70,000 MNIST images:
/// freshly trained, reloaded with <c>mlContext.Model.LoadAutoencoderPipeline</c> and loaded with stock
/// <c>mlContext.Model.Load</c> (ML.NET's OnnxTransformer, one ONNX Runtime call per row), in one process, every output
/// column of the task drained through one cursor. The models are trained briefly: speed does not depend on the weights.
/// </summary>
internal static class TaskReloadThroughput
{
    public sealed record Result(string Task, string Columns, int Rows, double Fresh, double Reloaded, double Stock, string ReloadedStage, string StockStage, long ZipBytes, DataViewSchema ReloadedSchema)
    {
        public double ReloadedVersusStock => Reloaded / Stock;
    }

    public static IReadOnlyList<Result> Run(MLContext ml, IDataView train, IDataView test, int repeats)
    {
        var rows = train.GetColumn<float[]>("Features").Concat(test.GetColumn<float[]>("Features")).ToList();
        var labels = train.GetColumn<float>("Label").Concat(test.GetColumn<float>("Label")).ToList();
        var data = ml.Data.LoadFromEnumerable(rows.Select((r, i) => new Row { Features = r, Label = labels[i] }).ToList(), Schema());
        var small = ml.Data.TakeRows(data, 5_000);
        var results = new List<Result>();

        // Anomaly detector: the library's defaults (the image recipe for these rows).
        using var detector = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyTrainer.Options { Seed = 0 }).Fit(small);
        results.Add(Measure(ml, "anomaly detector", detector, data, new[] { "Score", "PredictedLabel" }, repeats));

        // Classifier: a briefly pretrained encoder fine-tuned on 1,000 labeled rows; the label mapped to a key first.
        using var pretrained = new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 }, new TrainingOptions { Epochs = 1, Seed = 0 })
            .Fit(small);
        var classifier = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.AutoencoderClassifier(pretrained, steps: 50, seed: 0))
            .Fit(ml.Data.TakeRows(data, 1_000));
        results.Add(Measure(ml, "classifier", classifier, data, new[] { "Score", "PredictedLabel" }, repeats));
        (classifier as IDisposable)?.Dispose();

        // Mixture clusterer: a briefly trained tabular-recipe mixture VAE.
        using var mixture = new AutoencoderTrainer(
            ml, new MixtureAutoencoderOptions { Clusters = 10, Recipe = MixtureAutoencoderOptions.RecipeKind.Tabular, PretrainEpochs = 1 }, new TrainingOptions { Epochs = 1, Seed = 0 })
            .Fit(small);
        using var clusterer = ml.Transforms.ClusterWithMixture(mixture).Fit(small);
        results.Add(Measure(ml, "mixture clusterer", clusterer, data, new[] { "ClusterProbabilities", "Score", "PredictedLabel" }, repeats));
        return results;
    }

    /// <summary>
    /// Saves <paramref name="fresh"/> with <c>mlContext.Model.Save</c>, loads it back both ways and times the three on
    /// <paramref name="data"/>, reading <paramref name="columns"/> (the caller keeps and disposes <paramref name="fresh"/>).
    /// </summary>
    public static Result Measure(MLContext ml, string task, ITransformer fresh, IDataView data, string[] columns, int repeats)
    {
        string zip = Path.Combine(Path.GetTempPath(), $"ae-reload-benchmark-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(fresh, data.Schema, zip);
            var reloaded = new MLContext().Model.LoadAutoencoderPipeline(zip, out _);
            var stock = new MLContext().Model.Load(zip, out _);
            try
            {
                int rows = (int)data.GetRowCount()!.Value;
                var rates = InTurn.Best(repeats, rows, () => InTurn.Drain(fresh.Transform(data), columns), () => InTurn.Drain(reloaded.Transform(data), columns), () => InTurn.Drain(stock.Transform(data), columns));
                return new Result(
                    task, string.Join(", ", columns), rows, rates[0], rates[1], rates[2], Stage(reloaded), Stage(stock), new FileInfo(zip).Length, reloaded.GetOutputSchema(data.Schema));
            }
            finally
            {
                (reloaded as IDisposable)?.Dispose();
                (stock as IDisposable)?.Dispose();
            }
        }
        finally
        {
            File.Delete(zip);
        }
    }

    private static string Stage(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? string.Join(" + ", chain.Select(Stage)) : transformer.GetType().Name;

    private static SchemaDefinition Schema()
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 784);
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }
}

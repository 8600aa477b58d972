using System;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples;

/// <summary>
/// Scoring a saved pipeline: rows/s of the QuickStart-shaped transform (latent code and the scalar reconstruction
/// error) over all 70,000 MNIST images — freshly trained, reloaded with <c>mlContext.Model.LoadAutoencoderPipeline</c>,
/// and loaded with stock <c>mlContext.Model.Load</c> (ML.NET's OnnxTransformer, one ONNX Runtime call per row) — in the
/// same process, each drained through a cursor over both columns.
/// </summary>
internal static class ReloadThroughput
{
    public sealed record Result(string Architecture, int Rows, double Fresh, double Reloaded, double Stock, string ReloadedStage, string StockStage, string ErrorType, long ZipBytes)
    {
        public double ReloadedVersusFresh => Reloaded / Fresh;

        public double ReloadedVersusStock => Reloaded / Stock;
    }

    public static Result Run(MLContext ml, IDataView train, IDataView test, int repeats)
    {
        // Speed does not depend on the weights: a short training run gives a real model of the QuickStart's shape.
        var estimator = ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
        {
            Columns = new AutoencoderColumns { ReconstructionErrorColumnName = "Error" },
            Model = new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 },
            Training = new TrainingOptions { Epochs = 1 },
        });
        using var fresh = estimator.Fit(ml.Data.TakeRows(train, 5000));
        var data = ml.Data.LoadFromEnumerable(
            train.GetColumn<float[]>("Features").Concat(test.GetColumn<float[]>("Features")).Select(r => new Row { Features = r }).ToList(), Schema(ml));
        var r = TaskReloadThroughput.Measure(ml, "autoencoder", fresh, data, new[] { "Latent", "Error" }, repeats);
        return new Result(
            fresh.Model.Spec.ToString(), r.Rows, r.Fresh, r.Reloaded, r.Stock, r.ReloadedStage, r.StockStage, r.ReloadedSchema["Error"].Type.ToString() ?? "?", r.ZipBytes);
    }

    private static SchemaDefinition Schema(MLContext ml)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 784);
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}

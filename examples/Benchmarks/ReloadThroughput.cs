using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
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
        int rows = (int)data.GetRowCount()!.Value;

        string zip = Path.Combine(Path.GetTempPath(), $"ae-reload-benchmark-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(fresh, data.Schema, zip);
            var reloaded = new MLContext().Model.LoadAutoencoderPipeline(zip, out _);
            var stock = new MLContext().Model.Load(zip, out _);
            try
            {
                // Interleaved, so that a busy moment of a shared machine does not fall on one of them only.
                var rates = InTurn.Best(repeats, rows, () => InTurn.Drain(fresh.Transform(data), "Latent", "Error"), () => InTurn.Drain(reloaded.Transform(data), "Latent", "Error"), () => InTurn.Drain(stock.Transform(data), "Latent", "Error"));
                double freshRate = rates[0], reloadedRate = rates[1], stockRate = rates[2];
                return new Result(
                    fresh.Model.Spec.ToString(), rows, freshRate, reloadedRate, stockRate, Stage(reloaded), Stage(stock),
                    reloaded.GetOutputSchema(data.Schema)["Error"].Type.ToString() ?? "?", new FileInfo(zip).Length);
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

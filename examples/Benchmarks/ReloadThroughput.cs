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
                var rates = Best(repeats, rows, () => Drain(fresh.Transform(data)), () => Drain(reloaded.Transform(data)), () => Drain(stock.Transform(data)));
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

    // Reads Latent and Error, whatever their types (Error is Single in our transform, Vector<Single, 1> after a stock load).
    private static void Drain(IDataView view)
    {
        var latent = view.Schema["Latent"];
        var error = view.Schema["Error"];
        using var cursor = view.GetRowCursor(new[] { latent, error });
        var getLatent = cursor.GetGetter<VBuffer<float>>(latent);
        var code = default(VBuffer<float>);
        Action readError;
        if (error.Type is VectorDataViewType)
        {
            var getError = cursor.GetGetter<VBuffer<float>>(error);
            var value = default(VBuffer<float>);
            readError = () => getError(ref value);
        }
        else
        {
            var getError = cursor.GetGetter<float>(error);
            float value = 0;
            readError = () => getError(ref value);
        }

        while (cursor.MoveNext())
        {
            getLatent(ref code);
            readError();
        }
    }

    // Best rows/s of each run over the repeats, the runs taken in turn within each repeat (after one warm-up each).
    private static double[] Best(int repeats, int rows, params Action[] runs)
    {
        var best = runs.Select(_ => double.MaxValue).ToArray();
        foreach (var run in runs)
        {
            run();
        }

        for (int i = 0; i < repeats; i++)
        {
            for (int r = 0; r < runs.Length; r++)
            {
                var clock = Stopwatch.StartNew();
                runs[r]();
                best[r] = Math.Min(best[r], clock.Elapsed.TotalSeconds);
            }
        }

        return best.Select(b => rows / b).ToArray();
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

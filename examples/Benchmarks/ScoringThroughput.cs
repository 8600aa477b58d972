using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Autoencoders.ML.Examples;

/// <summary>
/// Scoring: rows/s of the encode transform over all 70,000 MNIST images, next to raw batched ONNX Runtime and to ML.NET's
/// stock ApplyOnnxModel on the same encoder.onnx, in the same process.
/// </summary>
internal static class ScoringThroughput
{
    public sealed record Result(string Architecture, int Rows, int BatchSize, double Transform, double RawOnnxRuntime, double ApplyOnnxModel, double Source, double RawDefaultThreads, int? Threads)
    {
        /// <summary>Rows/s of reading the source view and then scoring the same rows with raw ONNX Runtime, one after the other.</summary>
        public double SourceThenRaw => 1 / (1 / Source + 1 / RawOnnxRuntime);

        public double VersusRaw => Transform / RawOnnxRuntime;

        public double VersusApplyOnnxModel => Transform / ApplyOnnxModel;
    }

    public static Result Run(MLContext ml, IDataView train, IDataView test, int repeats)
    {
        // Speed does not depend on the weights: a short training run gives a real model of the QuickStart's shape.
        var options = new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 };
        using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 1 }).Fit(ml.Data.TakeRows(train, 5000));
        float[][] rows = train.GetColumn<float[]>("Features").Concat(test.GetColumn<float[]>("Features")).ToArray();
        const int batch = 512;

        // (a) Our transform, as a pipeline reads it: a cursor over the Latent column. (a') The source view alone: what
        // any transform reading it pays before it scores anything.
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }).ToList(), Schema(ml, "Features"));
        using var transformer = ml.Transforms.ApplyAutoencoder(model, scoringBatchSize: batch).Fit(data);

        // (b) Raw ONNX Runtime: the same encoder.onnx, batches of 512 from arrays already in memory, with the intra-op
        // threads the transform's session gets; and (b') the same with ONNX Runtime's own default threads.
        byte[] encoder = model.ToOnnx(OnnxGraphKind.Encoder);
        int? threads = OnnxBatchScorer.DefaultIntraOpThreads.Value;
        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads is int t)
        {
            sessionOptions.IntraOpNumThreads = t;
        }

        using var session = new InferenceSession(encoder, sessionOptions);
        using var defaultSession = new InferenceSession(encoder);
        float[] flat = rows.SelectMany(r => r).ToArray();

        // (c) ML.NET's ApplyOnnxModel on the same graph: one Run per row.
        var named = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }).ToList(), Schema(ml, OnnxNames.Features));
        var stock = ml.Transforms.ApplyOnnxModel(new[] { OnnxNames.Latent }, new[] { OnnxNames.Features }, new MemoryStream(encoder)).Fit(named);

        // Taken in turn within each repeat, so that a busy moment of the machine does not fall on one of them only.
        var rates = InTurn.Best(
            repeats,
            rows.Length,
            () => InTurn.Drain(transformer.Transform(data), "Latent"),
            () => InTurn.Drain(data, "Features"),
            () => RawRun(session, flat, rows.Length, batch),
            () => RawRun(defaultSession, flat, rows.Length, batch),
            () => InTurn.Drain(stock.Transform(named), OnnxNames.Latent));
        (stock as IDisposable)?.Dispose();
        double transform = rates[0], source = rates[1], raw = rates[2], rawDefault = rates[3], applyOnnx = rates[4];

        return new Result(model.Spec.ToString(), rows.Length, batch, transform, raw, applyOnnx, source, rawDefault, threads);
    }

    private static void RawRun(InferenceSession session, float[] flat, int rows, int batch)
    {
        var names = new[] { OnnxNames.Features };
        var outputs = new[] { OnnxNames.Latent };
        using var options = new RunOptions();
        for (int start = 0; start < rows; start += batch)
        {
            int n = Math.Min(batch, rows - start);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, flat.AsMemory(start * 784, n * 784), new long[] { n, 784 });
            using var result = session.Run(options, names, new[] { input }, outputs);
        }
    }

    private static SchemaDefinition Schema(MLContext ml, string column)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        var features = schema[nameof(Row.Features)];
        features.ColumnType = new VectorDataViewType(NumberDataViewType.Single, 784);
        features.ColumnName = column;
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;
using Xunit.Abstractions;

namespace Autoencoders.ML.Tests;

/// <summary>A small model trained once: the scoring tests check plumbing, not quality.</summary>
public sealed class SmallModelFixture : IDisposable
{
    public SmallModelFixture()
    {
        Ml = new MLContext(seed: 0);
        var options = new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 4 };
        Model = new AutoencoderTrainer(Ml, options, new TrainingOptions { Epochs = 1 }).Fit(Mnist.TrainView(Ml, 200));
    }

    public MLContext Ml { get; }

    public AutoencoderModel Model { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// The scoring-transformer base: rows of the wrong length or with NaN/∞ are errors naming column and row, disposed
/// transforms throw <see cref="ObjectDisposedException"/> (never crash), and the catalog follows ML.NET's conventions
/// (seed from the MLContext, input column <c>Features</c>, an appendable estimator for a trained model, a plain callback).
/// </summary>
public sealed class ScoringTransformerTests : IClassFixture<SmallModelFixture>
{
    private const int Size = 784;
    private readonly SmallModelFixture fixture;
    private readonly ITestOutputHelper output;

    public ScoringTransformerTests(SmallModelFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
    }

    private MLContext Ml => fixture.Ml;

    private AutoencoderModel Model => fixture.Model;

    [Theory]
    [InlineData(400)]
    [InlineData(900)]
    public void ARowOfTheWrongLengthIsAnErrorNamingColumnRowAndLengths(int length)
    {
        float[][] rows = Mnist.Test(10);
        rows[7] = rows[7].Take(Math.Min(length, Size)).Concat(new float[Math.Max(0, length - Size)]).ToArray();
        var data = Vectors.ToDataView(Ml, rows, size: Size);
        using var transformer = Ml.Transforms.ApplyAutoencoder(Model, scoringBatchSize: 4).Fit(data);

        // Batched transform: the batch holding row 7 fails.
        var batched = Assert.Throws<InvalidOperationException>(() => transformer.Transform(data).GetColumn<float[]>("Latent").ToArray());
        output.WriteLine(batched.Message);
        AssertNamesLengths(batched, "row 7", length);

        // Row mapper behind the PredictionEngine: the short row is not completed with an earlier row's tail.
        var engine = Ml.Model.CreatePredictionEngine<Vectors.Row, LatentRow>(transformer, data.Schema);
        var good = engine.Predict(new Vectors.Row { Features = rows[3] }).Latent;
        var single = Assert.Throws<InvalidOperationException>(() => engine.Predict(new Vectors.Row { Features = rows[7] }));
        output.WriteLine(single.Message);
        AssertNamesLengths(single, "row", length);

        // The engine goes on working for good rows.
        Assert.Equal(good, engine.Predict(new Vectors.Row { Features = rows[3] }).Latent);
        Assert.Equal(Model.Encode(new[] { rows[3] })[0], good, new FloatTolerance(1e-5f));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteInputIsAnErrorNamingColumnRowAndValue(float bad)
    {
        float[][] rows = Mnist.Test(6);
        rows[5] = (float[])rows[5].Clone();
        rows[5][100] = bad;
        var data = Vectors.ToDataView(Ml, rows);
        using var transformer = Ml.Transforms.ApplyAutoencoder(Model, new AutoencoderColumns { ReconstructionErrorColumnName = "Error" }).Fit(data);

        var batched = Assert.Throws<InvalidOperationException>(() => transformer.Transform(data).GetColumn<float>("Error").ToArray());
        output.WriteLine(batched.Message);
        Assert.Contains("Column 'Features', row 5, value 100 is", batched.Message);
        Assert.Contains("finite", batched.Message);

        var engine = Ml.Model.CreatePredictionEngine<Vectors.Row, LatentRow>(transformer, data.Schema);
        var single = Assert.Throws<InvalidOperationException>(() => engine.Predict(new Vectors.Row { Features = rows[5] }));
        Assert.Contains("Column 'Features'", single.Message);
        Assert.Contains("value 100 is", single.Message);
    }

    [Fact]
    public void EveryUseAfterDisposeThrowsObjectDisposedException()
    {
        var data = Mnist.TestView(Ml, 40);
        for (int run = 0; run < 25; run++)
        {
            var transformer = Ml.Transforms.ApplyAutoencoder(Model, scoringBatchSize: 16).Fit(data);
            var view = transformer.Transform(data);
            using var openCursor = view.GetRowCursor(view.Schema);
            var latent = openCursor.GetGetter<VBuffer<float>>(view.Schema["Latent"]);
            Assert.True(openCursor.MoveNext());
            var engine = Ml.Model.CreatePredictionEngine<Vectors.Row, LatentRow>(transformer, data.Schema);
            var row = new Vectors.Row { Features = Mnist.Test(1)[0] };
            engine.Predict(row);

            transformer.Dispose();
            transformer.Dispose();

            Assert.Throws<ObjectDisposedException>(() => transformer.Transform(data));
            Assert.Throws<ObjectDisposedException>(() => transformer.GetOutputSchema(data.Schema));
            Assert.Throws<ObjectDisposedException>(() => transformer.GetRowToRowMapper(data.Schema));
            Assert.Throws<ObjectDisposedException>(() => Ml.Model.Save(transformer, data.Schema, new System.IO.MemoryStream()));
            Assert.Throws<ObjectDisposedException>(() => Ml.Model.CreatePredictionEngine<Vectors.Row, LatentRow>(transformer, data.Schema));
            // A view made before Dispose, read after.
            var e = Assert.Throws<ObjectDisposedException>(() => view.GetColumn<float[]>("Latent").ToArray());
            Assert.Contains("AutoencoderTransformer", e.Message);
            // A cursor opened before Dispose: the rows already scored are served, the next batch fails.
            Assert.ThrowsAny<ObjectDisposedException>(() =>
            {
                while (openCursor.MoveNext())
                {
                    VBuffer<float> value = default;
                    latent(ref value);
                }
            });
            // A prediction engine made before Dispose.
            Assert.Throws<ObjectDisposedException>(() => engine.Predict(row));
        }
    }

    [Fact]
    public void DisposedDecoderThrowsObjectDisposedException()
    {
        var codes = Vectors.ToDataView(Ml, Model.Encode(Mnist.Test(5)), "Latent");
        var decoder = Ml.Transforms.DecodeLatent(Model).Fit(codes);
        var view = decoder.Transform(codes);
        Assert.Equal(5, view.GetColumn<float[]>("Generated").Count());
        decoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => view.GetColumn<float[]>("Generated").ToArray());
        Assert.Throws<ObjectDisposedException>(() => decoder.Transform(codes));
    }

    [Fact]
    public void DisposeWhileEightThreadsScoreEndsEachCleanly()
    {
        float[][] rows = Mnist.Test(64);
        var data = Vectors.ToDataView(Ml, rows);
        var expected = Model.Encode(rows);
        var transformer = Ml.Transforms.ApplyAutoencoder(Model, scoringBatchSize: 8).Fit(data);
        var failures = new ConcurrentBag<Exception>();
        int disposedSeen = 0, completed = 0;
        using var started = new CountdownEvent(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(
            () =>
            {
                started.Signal();
                var engine = t % 2 == 0 ? null : Ml.Model.CreatePredictionEngine<Vectors.Row, LatentRow>(transformer, data.Schema);
                try
                {
                    while (true)
                    {
                        var latent = engine == null
                            ? transformer.Transform(data).GetColumn<float[]>("Latent").ToArray()
                            : rows.Select(r => engine.Predict(new Vectors.Row { Features = r }).Latent).ToArray();
                        Assert.True(TransformTests.MaxAbsDifference(latent, expected) <= 1e-5);
                        Interlocked.Increment(ref completed);
                    }
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref disposedSeen);
                }
                catch (Exception e)
                {
                    failures.Add(e);
                }
            })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        started.Wait();
        Thread.Sleep(300);
        transformer.Dispose();
        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Empty(failures);
        Assert.Equal(8, disposedSeen);
        output.WriteLine($"{completed} complete passes before Dispose, then 8 × ObjectDisposedException");
    }

    [Fact]
    public void EightThreadsOfTheDecoderGiveTheSerialResults()
    {
        var codes = Vectors.ToDataView(Ml, Model.Encode(Mnist.Test(100)), "Latent");
        using var decoder = Ml.Transforms.DecodeLatent(Model, scoringBatchSize: 16).Fit(codes);
        var serial = decoder.Transform(codes).GetColumn<float[]>("Generated").ToArray();
        var results = new float[8][][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
            results[t] = decoder.Transform(codes).GetColumn<float[]>("Generated").ToArray());
        Assert.All(results, r => Assert.Equal(0, TransformTests.MaxAbsDifference(r, serial)));
    }

    [Fact]
    public void ATrainedModelIsAnEstimatorThatAppendsToAPipeline()
    {
        float[][] rows = Mnist.Test(30);
        var data = Vectors.ToDataView(Ml, rows, "Pixels");
        var estimator = Ml.Transforms.CopyColumns("Features", "Pixels")
            .Append(Ml.Transforms.ApplyAutoencoder(Model, new AutoencoderColumns { LatentColumnName = "Code", ReconstructionErrorColumnName = "Error" }));
        var shape = estimator.GetOutputSchema(SchemaShapes.From(data.Schema));
        Assert.Contains(shape, c => c.Name == "Code" && c.Kind == SchemaShape.Column.VectorKind.Vector);
        Assert.Contains(shape, c => c.Name == "Error" && c.Kind == SchemaShape.Column.VectorKind.Scalar);

        using var chain = estimator.Fit(data);
        var scored = chain.Transform(data);
        Assert.Equal(shape.Select(c => c.Name), scored.Schema.Select(c => c.Name));
        Assert.True(TransformTests.MaxAbsDifference(scored.GetColumn<float[]>("Code").ToArray(), Model.Encode(rows)) <= 1e-5);

        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Transforms.ApplyAutoencoder(Model).Fit(data));
        Assert.Contains("Could not find input column 'Features'", missing.Message);
        var wrongSize = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Transforms.ApplyAutoencoder(Model).Fit(Vectors.ToDataView(Ml, new[] { new float[10] })));
        Assert.Contains("expected vector of Single of size 784", wrongSize.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Transforms.ApplyAutoencoder(Model, scoringBatchSize: 0));
    }

    [Fact]
    public void CatalogFollowsMlNetConventions()
    {
        // The input column defaults to Features, as for ML.NET's trainers (not to the output column).
        Assert.Equal("Features", Ml.Transforms.Autoencoder("Code").EstimatorOptions.Columns.InputColumnName);
        Assert.Equal("Features", Ml.Transforms.DenoisingAutoencoder("Clean", null, CorruptionOptions.GaussianClipped(0.3)).EstimatorOptions.Columns.InputColumnName);
        Assert.Equal("Pixels", Ml.Transforms.Autoencoder("Pixels", "Pixels").EstimatorOptions.Columns.InputColumnName);

        // A null seed comes from the MLContext: same MLContext seed → same model; another → another; explicit → fixed.
        var data = Mnist.TrainView(Ml, 100);
        var test = Mnist.Test(5);
        int thread = Environment.CurrentManagedThreadId;
        var reports = new List<(int Epoch, int Thread)>();
        float[][] Train(int contextSeed, int? seed, Action<EpochReport>? onEpoch = null)
        {
            var ml = new MLContext(contextSeed);
            using var t = ml.Transforms.Autoencoder("Latent", latentSize: 3, hiddenSizes: new[] { 8 }, epochs: 2, seed: seed, onEpoch: onEpoch).Fit(data);
            return t.Model.Encode(test);
        }

        var a = Train(7, null, r => reports.Add((r.Epoch, Environment.CurrentManagedThreadId)));
        Assert.Equal(0, TransformTests.MaxAbsDifference(Train(7, null), a));
        Assert.True(TransformTests.MaxAbsDifference(Train(8, null), a) > 1e-4);
        Assert.Equal(0, TransformTests.MaxAbsDifference(Train(7, 3), Train(8, 3)));

        // The callback ran once per epoch, on the training thread, before Fit returned.
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Equal(thread, r.Thread));
    }

    private static void AssertNamesLengths(Exception e, string row, int length)
    {
        Assert.Contains("Column 'Features'", e.Message);
        Assert.Contains(row, e.Message);
        Assert.Contains($"{length} values", e.Message);
        Assert.Contains($"Vector<Single, {Size}>", e.Message);
    }

    private sealed class LatentRow
    {
        public float[] Latent { get; set; } = Array.Empty<float>();
    }

    private sealed class FloatTolerance : IEqualityComparer<float>
    {
        private readonly float tolerance;

        public FloatTolerance(float tolerance) => this.tolerance = tolerance;

        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}

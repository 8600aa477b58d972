using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Autoencoders.ML.Data;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>One trained transform shared by the transform tests (training once keeps the suite fast).</summary>
public sealed class TrainedTransformFixture : IDisposable
{
    public TrainedTransformFixture()
    {
        Ml = new MLContext(seed: 0);
        Estimator = Ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
        {
            Columns = new AutoencoderColumns { ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error" },
            Model = new AutoencoderOptions { HiddenSizes = new[] { 128 }, LatentSize = 16 },
            Training = new TrainingOptions { Epochs = 3 },
            ScoringBatchSize = 64,
        });
        Transformer = Estimator.Fit(Mnist.TrainView(Ml, 2000));
    }

    public MLContext Ml { get; }

    public AutoencoderEstimator Estimator { get; }

    public AutoencoderTransformer Transformer { get; }

    public void Dispose() => Transformer.Dispose();
}

/// <summary>The ML.NET transform: schema, values, pass-through, PredictionEngine, threads.</summary>
public sealed class TransformTests : IClassFixture<TrainedTransformFixture>
{
    private readonly TrainedTransformFixture fixture;

    public TransformTests(TrainedTransformFixture fixture) => this.fixture = fixture;

    private MLContext Ml => fixture.Ml;

    [Fact]
    public void AddsLatentReconstructionAndErrorThatMatchTorch()
    {
        float[][] rows = Mnist.Test(300);
        var scored = fixture.Transformer.Transform(Vectors.ToDataView(Ml, rows));
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 16), scored.Schema["Latent"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 784), scored.Schema["Reconstruction"].Type);
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Error"].Type);

        var latent = scored.GetColumn<float[]>("Latent").ToArray();
        var reconstruction = scored.GetColumn<float[]>("Reconstruction").ToArray();
        var error = scored.GetColumn<float>("Error").ToArray();
        var torchLatent = fixture.Transformer.Model.Encode(rows);
        var torchReconstruction = fixture.Transformer.Model.Reconstruct(rows);
        Assert.Equal(300, latent.Length);
        Assert.True(MaxAbsDifference(latent, torchLatent) <= 1e-5);
        Assert.True(MaxAbsDifference(reconstruction, torchReconstruction) <= 1e-5);
        for (int i = 0; i < rows.Length; i++)
        {
            double mse = rows[i].Zip(reconstruction[i], (a, b) => (double)(a - b) * (a - b)).Average();
            Assert.Equal(mse, error[i], 5);
        }
    }

    [Fact]
    public void PassThroughColumnsAreUntouchedAcrossBatchBoundaries()
    {
        // 150 rows with batch 64: three ONNX calls, the last one partial.
        var rows = Enumerable.Range(0, 150).Select(i => new LabeledRow
        {
            Features = Mnist.Test(150)[i],
            Label = i,
            Name = $"row {i}",
            Extra = new float[] { i, -i },
        }).ToList();
        var data = Ml.Data.LoadFromEnumerable(rows);
        var scored = fixture.Transformer.Transform(data);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (float)i), scored.GetColumn<float>("Label"));
        Assert.Equal(rows.Select(r => r.Name), scored.GetColumn<string>("Name"));
        Assert.Equal(rows.Select(r => r.Extra), scored.GetColumn<float[]>("Extra"));
        Assert.Equal(rows.Select(r => r.Features), scored.GetColumn<float[]>("Features"));
        Assert.Equal(150, scored.GetColumn<float[]>("Latent").Count());

        // Reading only pass-through columns works too (no scoring needed).
        Assert.Equal(150, scored.GetColumn<string>("Name").Count());
        Assert.Equal(data.Schema.Count + 3, scored.Schema.Count);
    }

    [Fact]
    public void WrongInputIsReportedWhenTheSchemaIsComputed()
    {
        var t = fixture.Transformer;
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => t.GetOutputSchema(Vectors.ToDataView(Ml, Mnist.Test(2), "Pixels").Schema));
        Assert.Contains("Could not find input column 'Features'", missing.Message);

        var wrongSize = Assert.Throws<ArgumentOutOfRangeException>(() => t.Transform(Vectors.ToDataView(Ml, new[] { new float[100] })));
        Assert.Contains("expected vector of Single of size 784", wrongSize.Message);
        Assert.Contains("got size 100", wrongSize.Message);

        var scalar = Ml.Data.LoadFromEnumerable(new[] { new ScalarRow { Features = 1 } });
        var wrongType = Assert.Throws<ArgumentOutOfRangeException>(() => t.GetOutputSchema(scalar.Schema));
        Assert.Contains("expected known-size vector of Single, got Single", wrongType.Message);
    }

    [Fact]
    public void EstimatorSchemaPropagationMatchesTheTransformer()
    {
        var inputShape = SchemaShapes.From(Mnist.TestView(Ml, 2).Schema);
        var shape = fixture.Estimator.GetOutputSchema(inputShape);
        var output = fixture.Transformer.GetOutputSchema(Mnist.TestView(Ml, 2).Schema);
        Assert.Equal(output.Select(c => c.Name), shape.Select(c => c.Name));
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, shape.Single(c => c.Name == "Latent").Kind);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, shape.Single(c => c.Name == "Error").Kind);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            fixture.Estimator.GetOutputSchema(SchemaShapes.From(Vectors.ToDataView(Ml, Mnist.Test(2), "Pixels").Schema)));
        Assert.Contains("Could not find input column 'Features'", e.Message);
        var wrongType = Ml.Data.LoadFromEnumerable(new[] { new ScalarRow { Features = 1 } });
        e = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Estimator.GetOutputSchema(SchemaShapes.From(wrongType.Schema)));
        Assert.Contains("expected known-size vector of Single, got Single", e.Message);
    }

    [Fact]
    public void PredictionEngineGivesTheBatchedResults()
    {
        float[][] rows = Mnist.Test(20);
        var batched = fixture.Transformer.Transform(Vectors.ToDataView(Ml, rows));
        var latent = batched.GetColumn<float[]>("Latent").ToArray();
        var error = batched.GetColumn<float>("Error").ToArray();
        var engine = Ml.Model.CreatePredictionEngine<Vectors.Row, Prediction>(fixture.Transformer, Vectors.ToDataView(Ml, rows).Schema);
        for (int i = 0; i < rows.Length; i++)
        {
            var p = engine.Predict(new Vectors.Row { Features = rows[i] });
            Assert.True(MaxAbsDifference(new[] { p.Latent }, new[] { latent[i] }) <= 1e-6);
            Assert.Equal(error[i], p.Error, 6);
        }
    }

    [Fact]
    public void EightThreadsGiveTheSerialResults()
    {
        float[][] rows = Mnist.Test(200);
        var serial = fixture.Transformer.Transform(Vectors.ToDataView(Ml, rows)).GetColumn<float[]>("Reconstruction").ToArray();
        var results = new float[8][][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            if (t % 2 == 0)
            {
                results[t] = fixture.Transformer.Transform(Vectors.ToDataView(Ml, rows)).GetColumn<float[]>("Reconstruction").ToArray();
            }
            else
            {
                var engine = Ml.Model.CreatePredictionEngine<Vectors.Row, Prediction>(fixture.Transformer, Vectors.ToDataView(Ml, rows).Schema);
                results[t] = rows.Select(r => engine.Predict(new Vectors.Row { Features = r }).Reconstruction).ToArray();
            }
        });
        foreach (var result in results)
        {
            Assert.True(MaxAbsDifference(result, serial) <= 1e-6);
        }
    }

    [Fact]
    public void LatentCodeFeedsAMulticlassTrainer()
    {
        // Pretraining: the autoencoder saw 2000 unlabeled images; the classifier learns from 16 numbers per image.
        var train = Ml.Data.LoadFromIdx(Mnist.PathOf("train-images-idx3-ubyte.gz"), Mnist.PathOf("train-labels-idx1-ubyte.gz"), 1f / 255, 2000);
        var test = Ml.Data.LoadFromIdx(Mnist.PathOf("t10k-images-idx3-ubyte.gz"), Mnist.PathOf("t10k-labels-idx1-ubyte.gz"), 1f / 255, 1000);
        var pipeline = Ml.Transforms.Autoencoder("Latent", "Features", latentSize: 16, hiddenSizes: new[] { 128 }, epochs: 5)
            .Append(Ml.Transforms.NormalizeMeanVariance("Latent"))
            .Append(Ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(Ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Latent"));
        using var model = (IDisposable)pipeline.Fit(train);
        var metrics = Ml.MulticlassClassification.Evaluate(((ITransformer)model).Transform(test));
        // Chance is 10%; a 16-d code of a briefly trained autoencoder gives ~80%.
        Assert.True(metrics.MacroAccuracy > 0.7, $"accuracy {metrics.MacroAccuracy}");
    }

    internal static double MaxAbsDifference(IReadOnlyList<float[]> a, IReadOnlyList<float[]> b)
    {
        Assert.Equal(a.Count, b.Count);
        double max = 0;
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Length, b[i].Length);
            for (int j = 0; j < a[i].Length; j++)
            {
                max = Math.Max(max, Math.Abs(a[i][j] - b[i][j]));
            }
        }

        return max;
    }

    private sealed class LabeledRow
    {
        [VectorType(784)]
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }

        public string Name { get; set; } = string.Empty;

        [VectorType(2)]
        public float[] Extra { get; set; } = Array.Empty<float>();
    }

    private sealed class ScalarRow
    {
        public float Features { get; set; }
    }

    private sealed class Prediction
    {
        public float[] Latent { get; set; } = Array.Empty<float>();

        public float[] Reconstruction { get; set; } = Array.Empty<float>();

        public float Error { get; set; }
    }
}

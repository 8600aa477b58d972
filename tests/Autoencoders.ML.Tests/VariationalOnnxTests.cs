using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

using static Autoencoders.ML.Tests.OnnxCheck;

namespace Autoencoders.ML.Tests;

/// <summary>The VAE's ONNX graphs against TorchSharp, and the encode transform with the log-variance column.</summary>
public sealed class VariationalOnnxTests : IClassFixture<TrainedVaeFixture>
{
    private readonly TrainedVaeFixture fixture;
    private readonly ITestOutputHelper output;

    public VariationalOnnxTests(TrainedVaeFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
    }

    public static IEnumerable<object[]> Cases() => new[]
    {
        new object[] { "trained BCE 784-256-8", 0.0, 0 },
        // A tight clamp makes the Clip node matter: many log-variances sit on the bound.
        new object[] { "random MSE 784-256-128-8, clamp 0.05", 0.05, 2 },
        new object[] { "random MSE 784-8 (no trunk), clamp 0.05", 0.05, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncoderDecoderAndAutoencoderGraphsMatchTorchSharp(string name, double clamp, int hiddenLayers)
    {
        using var random = clamp > 0 ? RandomModel(clamp, hiddenLayers) : null;
        var model = random ?? fixture.Model;
        float[][] rows = Mnist.Test(500);
        using var encoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Encoder));
        using var decoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Decoder));
        using var autoencoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Autoencoder));
        Assert.Equal(new[] { OnnxNames.Mean, OnnxNames.LogVariance }, encoder.OutputNames);
        Assert.Equal(new[] { OnnxNames.Latent }, decoder.InputNames);
        Assert.Equal(new[] { OnnxNames.Reconstruction, OnnxNames.Mean, OnnxNames.LogVariance }, autoencoder.OutputNames);

        var worst = new List<string>();
        foreach (var batch in new[] { rows, new[] { rows[3] } })
        {
            var posterior = model.EncodeDistribution(batch);
            var codes = model.Encode(batch);
            var fromEncoder = Run(encoder, OnnxNames.Features, batch);
            var fromDecoder = Run(decoder, OnnxNames.Latent, codes);
            var fromAutoencoder = Run(autoencoder, OnnxNames.Features, batch);
            foreach (var (what, expected, actual) in new[]
            {
                ("mean", posterior.Mean, fromEncoder[OnnxNames.Mean]),
                ("log_variance", posterior.LogVariance, fromEncoder[OnnxNames.LogVariance]),
                ("decoded", model.Decode(codes), fromDecoder[OnnxNames.Reconstruction]),
                ("reconstruction", model.Reconstruct(batch), fromAutoencoder[OnnxNames.Reconstruction]),
                ("autoencoder mean", posterior.Mean, fromAutoencoder[OnnxNames.Mean]),
                ("autoencoder log_variance", posterior.LogVariance, fromAutoencoder[OnnxNames.LogVariance]),
            })
            {
                double difference = MaxAbsDifference(expected, actual);
                worst.Add($"{what}@{batch.Length} {difference:E1}");
                Assert.True(difference <= Tolerance, $"{name}: {what}, batch {batch.Length}: {difference:E2}");
            }

            // Codes spread like prior draws, not only the training data's, through the decoder graph too.
            var spread = RandomCodes(model, batch.Length);
            double priorDifference = MaxAbsDifference(model.Decode(spread), Run(decoder, OnnxNames.Latent, spread)[OnnxNames.Reconstruction]);
            worst.Add($"decoded spread codes@{batch.Length} {priorDifference:E1}");
            Assert.True(priorDifference <= Tolerance, $"{name}: decoded spread codes, batch {batch.Length}: {priorDifference:E2}");
        }

        if (clamp > 0)
        {
            var logVariances = model.EncodeDistribution(rows).LogVariance.SelectMany(v => v).ToArray();
            int clamped = logVariances.Count(v => Math.Abs(Math.Abs(v) - clamp) < 1e-7);
            output.WriteLine($"{clamped} of {logVariances.Length} log-variances on the clamp");
            Assert.True(clamped > logVariances.Length / 10, "the clamp should be active in this case");
            Assert.True(logVariances.Any(v => Math.Abs(v) < clamp - 1e-3), "and inactive for some values");
        }

        output.WriteLine($"{name}: {string.Join(", ", worst)}");
    }

    [Fact]
    public void BernoulliDecoderGraphReturnsProbabilitiesAndMetadataDescribesTheVae()
    {
        using var decoder = new InferenceSession(fixture.Model.ToOnnx(OnnxGraphKind.Decoder));
        var probabilities = Run(decoder, OnnxNames.Latent, RandomCodes(fixture.Model, 200))[OnnxNames.Reconstruction];
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        Assert.True(probabilities.Max() - probabilities.Min() > 0.5, "decoded probabilities should span the range");
        var props = decoder.ModelMetadata.CustomMetadataMap;
        Assert.Equal("variational", props["kind"]);
        Assert.Equal("Sigmoid", props["output_activation"]);
        Assert.Equal("BinaryCrossEntropy", props["loss"]);
        Assert.Equal("standard_normal", props["prior"]);
        Assert.Equal("1", props["beta"]);
        Assert.Equal("10", props["log_variance_clamp"]);
        Assert.Equal(TrainedVaeFixture.Latent.ToString(System.Globalization.CultureInfo.InvariantCulture), props["latent_size"]);
    }

    [Fact]
    public void EncodeTransformGivesMeanLogVarianceAndReconstructionAndSavesPortably()
    {
        var ml = fixture.Ml;
        float[][] rows = Mnist.Test(300);
        var columns = new AutoencoderColumns { LogVarianceColumnName = "LogVariance", ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error" };
        var input = Vectors.ToDataView(ml, rows);
        using var transform = ml.Transforms.ApplyAutoencoder(fixture.Model, columns, scoringBatchSize: 128).Fit(input);
        var scored = transform.Transform(input);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, TrainedVaeFixture.Latent), scored.Schema["LogVariance"].Type);
        var posterior = fixture.Model.EncodeDistribution(rows);
        var latent = scored.GetColumn<float[]>("Latent").ToArray();
        var logVariance = scored.GetColumn<float[]>("LogVariance").ToArray();
        Assert.True(TransformTests.MaxAbsDifference(latent, posterior.Mean.ToArray()) <= Tolerance);
        Assert.True(TransformTests.MaxAbsDifference(logVariance, posterior.LogVariance.ToArray()) <= Tolerance);
        Assert.True(TransformTests.MaxAbsDifference(scored.GetColumn<float[]>("Reconstruction").ToArray(), fixture.Model.Reconstruct(rows)) <= Tolerance);

        string zip = Path.Combine(Path.GetTempPath(), $"vae-encode-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(transform, input.Schema, zip);
            var loaded = new MLContext().Model.Load(zip, out _).Transform(input);
            Assert.True(TransformTests.MaxAbsDifference(loaded.GetColumn<float[]>("LogVariance").ToArray(), logVariance) <= 1e-6);
            Assert.True(TransformTests.MaxAbsDifference(loaded.GetColumn<float[]>("Latent").ToArray(), latent) <= 1e-6);
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Fact]
    public void EstimatorTrainsAVaeFromTheCatalog()
    {
        var ml = new MLContext(seed: 0);
        var estimator = ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
        {
            Columns = new AutoencoderColumns { LogVarianceColumnName = "LogVariance" },
            Model = new VariationalAutoencoderOptions { HiddenSizes = new[] { 64 }, LatentSize = 4, Loss = ReconstructionLoss.BinaryCrossEntropy },
            Training = new TrainingOptions { Epochs = 1 },
        });
        var train = Mnist.TrainView(ml, 500);
        Assert.Contains(estimator.GetOutputSchema(SchemaShapes.From(train.Schema)), c => c.Name == "LogVariance");
        using var transformer = estimator.Fit(train);
        Assert.Equal("variational", transformer.Model.Kind);
        Assert.Equal(4, transformer.Transform(train).GetColumn<float[]>("LogVariance").First().Length);

        // The log-variance column needs a variational model.
        var error = Assert.Throws<ArgumentException>(() => ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
        {
            Columns = new AutoencoderColumns { LogVarianceColumnName = "LogVariance" },
            Model = new AutoencoderOptions(),
        }));
        Assert.Contains("LogVarianceColumnName needs a variational model", error.Message);
    }

    private static float[][] RandomCodes(AutoencoderModel model, int count)
    {
        var random = new Random(count);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, model.LatentSize).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray()).ToArray();
    }

    private static AutoencoderModel RandomModel(double clamp, int hiddenLayers)
    {
        TorchRuntime.EnsureInitialized();
        torch.manual_seed(17 + hiddenLayers);
        var options = new VariationalAutoencoderOptions
        {
            HiddenSizes = hiddenLayers == 0 ? Array.Empty<int>() : new[] { 256, 128 }.Take(hiddenLayers).ToArray(),
            LatentSize = 8,
            HiddenActivation = Architecture.Activation.Tanh,
            LogVarianceClamp = clamp,
        };
        var network = new VariationalAutoencoderNetwork(options.BuildSpec(784), options);
        var history = new TrainingHistory(Array.Empty<EpochReport>(), 0, stoppedEarly: false, "training");
        return new AutoencoderModel(network, options, new TrainingOptions(), history);
    }
}

using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>Input scaling: fitted on training rows, applied by the model and inside the exported graphs.</summary>
public sealed class ScalingTests
{
    private readonly MLContext ml = new(seed: 0);

    // MNIST in awkward units: pixels·1000 + 300, so values are around 300–1300.
    private static float[][] Awkward(float[][] rows) => rows.Select(r => r.Select(v => (v * 1000f) + 300f).ToArray()).ToArray();

    [Theory]
    [InlineData(ScalingKind.Standard)]
    [InlineData(ScalingKind.MinMax)]
    public void ScaledTrainingWorksInTheDataUnitsAndTheGraphsCarryTheScaling(ScalingKind kind)
    {
        float[][] train = Awkward(Mnist.Train(3000));
        float[][] test = Awkward(Mnist.Test(200));
        var architecture = new AutoencoderOptions { HiddenSizes = new[] { 128 }, LatentSize = 16 };
        var training = new TrainingOptions { Epochs = 12, BatchSize = 64, Scaling = kind };
        using var scaled = new AutoencoderTrainer(ml, architecture, training).Fit(Vectors.ToDataView(ml, train));
        double scaledError = scaled.Evaluate(Vectors.ToDataView(ml, test)).MeanSquaredError;

        // Baseline: predicting the training mean image. The scaled model must do far better, in the data's units.
        var mean = Enumerable.Range(0, 784).Select(j => train.Average(r => r[j])).ToArray();
        double meanImageError = test.SelectMany(r => r.Select((v, j) => (double)(v - mean[j]) * (v - mean[j]))).Average();
        Assert.True(scaledError < meanImageError * 0.6, $"scaled {scaledError}, mean image {meanImageError}");
        Assert.Equal(kind, scaled.Scaling!.Kind);

        // The ONNX graph takes raw values and returns raw values: same as the model's own Reconstruct.
        using var session = new InferenceSession(scaled.ToOnnx(OnnxGraphKind.Autoencoder));
        var input = new DenseTensor<float>(test.Take(50).SelectMany(r => r).ToArray(), new[] { 50, 784 });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(OnnxNames.Features, input) });
        var onnx = results.First(r => r.Name == OnnxNames.Reconstruction).AsTensor<float>().ToArray();
        var torch = scaled.Reconstruct(test.Take(50).ToArray()).SelectMany(r => r).ToArray();
        double max = onnx.Zip(torch, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(max <= 2e-3, $"max abs difference {max} on values up to 1300");
        Assert.Contains("inside the graph", session.ModelMetadata.CustomMetadataMap["input_scaling"]);

        // Saved and loaded, the scaling comes back.
        string path = Path.Combine(Path.GetTempPath(), $"scaled-{Guid.NewGuid():N}.zip");
        try
        {
            scaled.Save(path);
            using var loaded = AutoencoderModel.Load(path);
            Assert.Equal(scaled.Scaling, loaded.Scaling);
            Assert.Equal(scaled.Reconstruct(test.Take(3).ToArray()), loaded.Reconstruct(test.Take(3).ToArray()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void IncompatibleCombinationsFailWhenTheTrainerIsCreated()
    {
        var e = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(
            ml, new AutoencoderOptions { Loss = ReconstructionLoss.BinaryCrossEntropy }, new TrainingOptions { Scaling = ScalingKind.Standard }));
        Assert.Contains("ScalingKind.MinMax", e.Message);
        e = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(
            ml, new VariationalAutoencoderOptions(), new TrainingOptions { Scaling = ScalingKind.MinMax }));
        Assert.Contains("likelihoods", e.Message);
    }
}

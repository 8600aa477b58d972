using System;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>The variational kind on a convolutional trunk: trains, and its ONNX graphs match TorchSharp.</summary>
public sealed class ConvolutionalVariationalTests
{
    [Theory]
    [InlineData(1, 28, 28, UpsamplingMode.TransposedConvolution)]
    [InlineData(3, 45, 61, UpsamplingMode.UpsampleConvolution)]
    public void ConvolutionalVaeTrainsAndItsGraphsMatchTorch(int channels, int height, int width, UpsamplingMode upsampling)
    {
        var ml = new MLContext(seed: 0);
        int size = channels * height * width;
        float[][] rows = channels == 1
            ? Mnist.Train(800)
            : Enumerable.Range(0, 300).Select(i => Enumerable.Range(0, size).Select(j => (float)((Math.Sin((i * 0.37) + (j * 0.011)) + 1) / 2)).ToArray()).ToArray();
        var options = new VariationalAutoencoderOptions
        {
            HiddenSizes = Array.Empty<int>(),
            LatentSize = 8,
            Loss = ReconstructionLoss.BinaryCrossEntropy,
            Convolution = new ConvolutionalAutoencoderOptions
            {
                ImageShape = new ImageShape(channels, height, width), Filters = new[] { 8, 16 }, Upsampling = upsampling,
            },
        };
        using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 3, BatchSize = 32 }).Fit(Vectors.ToDataView(ml, rows));
        Assert.True(model.IsVariational);
        Assert.Contains(model.Spec.Encoder, l => l is Conv2dLayerSpec);
        var epochs = model.History.Epochs;
        Assert.True(epochs[^1].TrainingLossParts["reconstruction"] < epochs[0].TrainingLossParts["reconstruction"]);
        Assert.True(epochs[^1].TrainingLossParts["kl"] > 0);

        float[][] batch = rows.Take(16).ToArray();
        using var session = new InferenceSession(model.ToOnnx(OnnxGraphKind.Autoencoder));
        var input = new DenseTensor<float>(batch.SelectMany(r => r).ToArray(), new[] { batch.Length, size });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(OnnxNames.Features, input) });
        float[] Output(string name) => results.First(r => r.Name == name).AsTensor<float>().ToArray();

        var posterior = model.EncodeDistribution(batch);
        Assert.True(MaxDifference(Output(OnnxNames.Mean), posterior.Mean.SelectMany(r => r)) <= 1e-5);
        Assert.True(MaxDifference(Output(OnnxNames.LogVariance), posterior.LogVariance.SelectMany(r => r)) <= 1e-5);
        Assert.True(MaxDifference(Output(OnnxNames.Reconstruction), model.Reconstruct(batch).SelectMany(r => r)) <= 1e-5);
        Assert.Equal($"{channels}x{height}x{width}", session.ModelMetadata.CustomMetadataMap["image_shape"]);

        using var decoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Decoder));
        float[][] z = model.SamplePrior(4, seed: 1).Length == 4 ? posterior.Mean.Take(4).ToArray() : throw new InvalidOperationException();
        var latent = new DenseTensor<float>(z.SelectMany(r => r).ToArray(), new[] { 4, 8 });
        using var decoded = decoder.Run(new[] { NamedOnnxValue.CreateFromTensor(OnnxNames.Latent, latent) });
        Assert.True(MaxDifference(decoded.First().AsTensor<float>().ToArray(), model.Decode(z).SelectMany(r => r)) <= 1e-5);
    }

    private static double MaxDifference(float[] a, System.Collections.Generic.IEnumerable<float> b) =>
        a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
}

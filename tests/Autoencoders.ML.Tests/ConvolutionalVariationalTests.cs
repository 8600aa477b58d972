using System;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
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
        var outputs = OnnxCheck.Run(session, OnnxNames.Features, batch);
        var posterior = model.EncodeDistribution(batch);
        Assert.True(OnnxCheck.MaxAbsDifference(posterior.Mean, outputs[OnnxNames.Mean]) <= OnnxCheck.Tolerance);
        Assert.True(OnnxCheck.MaxAbsDifference(posterior.LogVariance, outputs[OnnxNames.LogVariance]) <= OnnxCheck.Tolerance);
        Assert.True(OnnxCheck.MaxAbsDifference(model.Reconstruct(batch), outputs[OnnxNames.Reconstruction]) <= OnnxCheck.Tolerance);
        Assert.Equal($"{channels}x{height}x{width}", session.ModelMetadata.CustomMetadataMap["image_shape"]);

        using var decoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Decoder));
        float[][] z = posterior.Mean.Take(4).ToArray();
        var decoded = OnnxCheck.Run(decoder, OnnxNames.Latent, z);
        Assert.True(OnnxCheck.MaxAbsDifference(model.Decode(z), decoded[OnnxNames.Reconstruction]) <= OnnxCheck.Tolerance);
    }
}

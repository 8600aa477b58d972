using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Plain;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Models;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace Autoencoders.ML.Tests;

/// <summary>Convolutional autoencoders: the spec's shapes, the module's shapes, training, denoising, persistence and bad options.</summary>
public sealed class ConvolutionalAutoencoderTests
{
    private readonly MLContext ml = new(seed: 0);
    private readonly ITestOutputHelper output;

    public ConvolutionalAutoencoderTests(ITestOutputHelper output) => this.output = output;

    private static AutoencoderOptions Options(ImageShape shape, int[] filters, UpsamplingMode upsampling = UpsamplingMode.TransposedConvolution, bool batchNorm = false) => new()
    {
        HiddenSizes = Array.Empty<int>(),
        LatentSize = 16,
        Convolution = new ConvolutionalAutoencoderOptions { ImageShape = shape, Filters = filters, BatchNorm = batchNorm, Upsampling = upsampling },
    };

    [Fact]
    public void SpecOfMnistHalvesThenDoublesTheImage()
    {
        var spec = Options(new ImageShape(1, 28, 28), new[] { 16, 32 }, batchNorm: true).BuildSpec(784);
        Assert.Equal(
            new LayerSpec[]
            {
                new Conv2dLayerSpec(new ImageShape(1, 28, 28), 16, 3, 2, 1, Activation.ReLU, true),
                new Conv2dLayerSpec(new ImageShape(16, 14, 14), 32, 3, 2, 1, Activation.ReLU, true),
                new DenseLayerSpec(32 * 7 * 7, 16, Activation.None),
            },
            spec.Encoder);
        Assert.Equal(
            new LayerSpec[]
            {
                new DenseLayerSpec(16, 32 * 7 * 7, Activation.ReLU),
                new ConvTranspose2dLayerSpec(new ImageShape(32, 7, 7), 16, 3, 2, 1, 1, Activation.ReLU, true),
                new ConvTranspose2dLayerSpec(new ImageShape(16, 14, 14), 1, 3, 2, 1, 1, Activation.None, false),
            },
            spec.Decoder);
        // conv 1→16: 144+16+32, conv 16→32: 4608+32+64, dense 1568→16 and 16→1568, deconv 32→16: 4608+16+32, deconv 16→1: 144+1.
        Assert.Equal(192 + 4704 + 25104 + 26656 + 4656 + 145, spec.ParameterCount);
    }

    [Theory]
    [InlineData(1, 28, 28, UpsamplingMode.TransposedConvolution)]
    [InlineData(3, 32, 32, UpsamplingMode.UpsampleConvolution)]
    [InlineData(3, 45, 61, UpsamplingMode.TransposedConvolution)]
    [InlineData(3, 45, 61, UpsamplingMode.UpsampleConvolution)]
    public void EveryLayerOutputsTheShapeItsSpecSays(int channels, int height, int width, UpsamplingMode upsampling)
    {
        TorchRuntime.EnsureInitialized();
        var shape = new ImageShape(channels, height, width);
        var spec = Options(shape, new[] { 8, 16, 16 }, upsampling, batchNorm: true).BuildSpec(shape.Size);
        Assert.Equal(shape.Size, spec.OutputSize);
        // 45×61 → 23×31 → 12×16 → 6×8 and back 12×16 → 24×32 → 48×64, cropped to 45×61; 32 and 28 need no crop with 3 blocks only if divisible by 8.
        bool needsCrop = height % 8 != 0 || width % 8 != 0;
        Assert.Equal(needsCrop, spec.Decoder[^1] is CropOrPadLayerSpec);
        Assert.Equal(shape, ((ImageLayerSpec)spec.Decoder[^1]).OutputShape);

        using var network = new AutoencoderNetwork(spec);
        network.eval();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(MnistImages.Of(shape, 5).SelectMany(r => r).ToArray(), 5, shape.Size);
        foreach (var stack in new[] { network.Encoder, network.Decoder })
        {
            for (int i = 0; i < stack.Specs.Count; i++)
            {
                var layer = stack.Specs[i];
                if (layer is ImageLayerSpec image)
                {
                    var module = stack.Layer(i).forward(x.reshape(5, image.InputShape.Channels, image.InputShape.Height, image.InputShape.Width));
                    Assert.Equal(new long[] { 5, image.OutputShape.Channels, image.OutputShape.Height, image.OutputShape.Width }, module.shape);
                }

                x = stack.Run(x, i, 1);
                Assert.Equal(new long[] { 5, layer.OutputSize }, x.shape);
            }
        }
    }

    // libtorch 2.10's oneDNN gave a wrong or NaN input gradient for NCHW convolutions whose output channels are not a
    // multiple of its SIMD block (16 with AVX-512, 8 with AVX2); 16 is the control. NaN left in freed memory makes the
    // uninitialised read it did show up every time.
    [Theory]
    [InlineData(16, 8, 14, false)]
    [InlineData(8, 1, 14, true)]
    [InlineData(16, 3, 16, true)]
    [InlineData(16, 16, 14, false)]
    public void ConvolutionInputGradientMatchesFloat64(int inChannels, int filters, int size, bool upsample)
    {
        TorchRuntime.EnsureInitialized();
        torch.manual_seed(3);
        var input = new ImageShape(inChannels, size, size);
        ImageLayerSpec spec = upsample
            ? UpsampleConv2dLayerSpec.Doubling(input, filters, 3, Activation.None, batchNorm: false)
            : new Conv2dLayerSpec(input, filters, 3, 1, 1, Activation.None);
        using var block = spec.CreateModule();
        using var reference = spec.CreateModule();
        reference.load_state_dict(block.state_dict());
        reference.to(torch.float64);
        for (int repeat = 0; repeat < 3; repeat++)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.randn(64, inChannels, size, size).requires_grad_(true);
            var y = block.forward(x);
            var gradOutput = torch.randn_like(y);
            for (int i = 0; i < 4; i++)
            {
                torch.full(64 * 16 * y.shape[2] * y.shape[3], float.NaN).Dispose();
                torch.full(16 * 16 * 9, float.NaN).Dispose();
            }

            var gradInput = torch.autograd.grad(new[] { y }, new[] { x }, new[] { gradOutput })[0];
            var x64 = x.detach().to(torch.float64).requires_grad_(true);
            var expected = torch.autograd.grad(new[] { reference.forward(x64) }, new[] { x64 }, new[] { gradOutput.to(torch.float64) })[0];
            double error = (gradInput.to(torch.float64) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
            Assert.True(error < 1e-5, $"{spec}: input gradient off by {error} of its largest value (repeat {repeat})");
        }
    }

    [Fact]
    public void CropOrPadCutsAndPadsAtTheBottomRight()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var image = torch.arange(1, 13, dtype: torch.float32).reshape(1, 1, 3, 4); // rows 1-4, 5-8, 9-12
        var cropped = new CropOrPad(2, 5).forward(image);
        Assert.Equal(new float[] { 1, 2, 3, 4, 0, 5, 6, 7, 8, 0 }, cropped.data<float>().ToArray());
        var padded = new CropOrPad(4, 2).forward(image);
        Assert.Equal(new float[] { 1, 2, 5, 6, 9, 10, 0, 0 }, padded.data<float>().ToArray());
    }

    [Theory]
    [InlineData(UpsamplingMode.TransposedConvolution, false)]
    [InlineData(UpsamplingMode.UpsampleConvolution, true)]
    public void PlainConvolutionalAutoencoderTrainsAndLossFalls(UpsamplingMode upsampling, bool batchNorm)
    {
        var options = Options(new ImageShape(1, 28, 28), new[] { 16, 32 }, upsampling, batchNorm);
        using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 4, BatchSize = 64, Seed = 1 }).Fit(Mnist.TrainView(ml, 4000));
        Assert.Equal("convolutional", model.Kind);
        Assert.Equal(Autoencoders.ML.Kinds.ModelKind.Autoencoder, model.ModelKind);
        var losses = model.History.Epochs.Select(e => e.TrainingLoss).ToArray();
        output.WriteLine($"{upsampling}, batch norm {batchNorm}: training loss {string.Join(" → ", losses.Select(l => l.ToString("F4")))}");
        Assert.True(losses[^1] < losses[0] * 0.8, $"loss {losses[0]} → {losses[^1]}");

        // Held-out digits: better than predicting every pixel as its mean over the training rows (MSE ≈ 0.067 on MNIST).
        float[][] test = Mnist.Test(500);
        double mse = Vectors.MeanSquaredError(test, model.Reconstruct(test));
        float[][] train = Mnist.Train(4000);
        var mean = Enumerable.Range(0, 784).Select(j => train.Average(r => r[j])).ToArray();
        double meanImageMse = Vectors.MeanSquaredError(test, test.Select(_ => mean).ToArray());
        output.WriteLine($"test MSE {mse:F4}, mean image {meanImageMse:F4}");
        Assert.True(mse < meanImageMse * 0.7, $"test MSE {mse}, mean-image MSE {meanImageMse}");
    }

    [Fact]
    public void DenoisingConvolutionalAutoencoderRemovesNoise()
    {
        var corruption = CorruptionOptions.GaussianClipped(0.4);
        var options = Options(new ImageShape(1, 28, 28), new[] { 16, 32 });
        var training = new TrainingOptions { Epochs = 3, BatchSize = 64, LearningRate = 3e-3, Seed = 2, Corruption = corruption };
        using var model = new AutoencoderTrainer(ml, options, training).Fit(Mnist.TrainView(ml, 2000));
        Assert.Equal("denoising", model.Kind);
        var losses = model.History.Epochs.Select(e => e.TrainingLoss).ToArray();
        Assert.True(losses[^1] < losses[0], $"loss {losses[0]} → {losses[^1]}");

        float[][] clean = Mnist.Test(500);
        float[][] noisy = corruption.Apply(clean, seed: 99);
        double noisyMse = Vectors.MeanSquaredError(clean, noisy);
        double denoisedMse = Vectors.MeanSquaredError(clean, model.Reconstruct(noisy));
        output.WriteLine($"noisy MSE {noisyMse:F4}, denoised {denoisedMse:F4}");
        // Beats the noisy input and does better than the mean image (≈ 0.067), which a collapsed model would output.
        Assert.True(denoisedMse < noisyMse * 0.7 && denoisedMse < 0.05, $"noisy {noisyMse}, denoised {denoisedMse}");
    }

    [Fact]
    public void ColourOddSizedImagesTrainThroughTheEstimatorAndTransform()
    {
        var shape = new ImageShape(3, 45, 61);
        float[][] images = MnistImages.Of(shape, 300);
        var data = Vectors.ToDataView(ml, images);
        var estimator = ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
        {
            Columns = new AutoencoderColumns { ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error" },
            Model = Options(shape, new[] { 8, 16, 16 }, batchNorm: true),
            Training = new TrainingOptions { Epochs = 3, BatchSize = 32, LearningRate = 3e-3 },
        });
        using var transformer = estimator.Fit(data);
        var losses = transformer.Model.History.Epochs.Select(e => e.TrainingLoss).ToArray();
        Assert.True(losses[^1] < losses[0], $"loss {losses[0]} → {losses[^1]}");

        // The transform scores with ONNX Runtime; the module with TorchSharp: the same reconstructions.
        var scored = transformer.Transform(Vectors.ToDataView(ml, MnistImages.Take(images, 20)));
        float[][] viaTransform = scored.GetColumn<float[]>("Reconstruction").ToArray();
        float[][] viaTorch = transformer.Model.Reconstruct(MnistImages.Take(images, 20));
        Assert.Equal(shape.Size, viaTransform[0].Length);
        Assert.True(viaTransform.Zip(viaTorch).All(p => p.First.Zip(p.Second).All(v => Math.Abs(v.First - v.Second) <= 1e-5)));
    }

    [Fact]
    public void SavedConvolutionalModelLoadsWithTheSameWeightsAndBatchStatistics()
    {
        var options = Options(new ImageShape(1, 28, 28), new[] { 8, 16 }, UpsamplingMode.UpsampleConvolution, batchNorm: true);
        using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 1, BatchSize = 64 }).Fit(Mnist.TrainView(ml, 500));
        string folder = Path.Combine(Path.GetTempPath(), $"ae-conv-{Guid.NewGuid():N}");
        try
        {
            model.Save(folder);
            string json = File.ReadAllText(Path.Combine(folder, "model.json"));
            Assert.Contains("\"kind\": \"convolutional\"", json);
            Assert.Contains("\"type\": \"upsampleConv2d\"", json);
            Assert.Contains("\"convolution\"", json);

            using var loaded = AutoencoderModel.Load(folder);
            Assert.Equal(model.Spec.ToJson(), loaded.Spec.ToJson());
            Assert.Equal(new ImageShape(1, 28, 28), loaded.Options.Convolution!.ImageShape);
            Assert.Equal(UpsamplingMode.UpsampleConvolution, loaded.Options.Convolution.Upsampling);
            Assert.True(loaded.Options.Convolution.BatchNorm);
            float[][] rows = Mnist.Test(10);
            Assert.Equal(model.Reconstruct(rows), loaded.Reconstruct(rows));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void BadOptionsFailWithClearMessages()
    {
        ArgumentException Fails(Action action) => Assert.ThrowsAny<ArgumentException>(action);
        var mnist = Mnist.TrainView(ml, 10);

        var wrongSize = Fails(() => new AutoencoderTrainer(ml, Options(new ImageShape(3, 32, 32), new[] { 8 })).Fit(mnist));
        Assert.Contains("784 values per row but ImageShape 3×32×32 needs C·H·W = 3072", wrongSize.Message);

        var tooSmall = Fails(() => new AutoencoderTrainer(ml, Options(new ImageShape(1, 6, 28), new[] { 8, 8, 8 })));
        Assert.Contains("too small for 3 downsampling blocks", tooSmall.Message);
        Assert.Contains("at least 2^3 = 8", tooSmall.Message);

        var negative = Fails(() => new AutoencoderTrainer(ml, Options(new ImageShape(1, 28, 28), new[] { 8, 0 })));
        Assert.Contains("Filters[1] is 0", negative.Message);

        var noFilters = Fails(() => new AutoencoderTrainer(ml, Options(new ImageShape(1, 28, 28), Array.Empty<int>())));
        Assert.Contains("Filters needs at least one entry", noFilters.Message);

        var evenKernel = Options(new ImageShape(1, 28, 28), new[] { 8 });
        evenKernel.Convolution!.KernelSize = 4;
        Assert.Contains("KernelSize must be odd", Fails(() => evenKernel.Validate()).Message);

        var badShape = Fails(() => new AutoencoderTrainer(ml, Options(new ImageShape(0, 28, 28), new[] { 8 })));
        Assert.Contains("positive number of channels", badShape.Message);

        var missing = new AutoencoderOptions { Convolution = new ConvolutionalAutoencoderOptions() };
        Assert.Contains("ImageShape is required", Fails(() => missing.Validate()).Message);

        // A paired target of another size cannot come out of an image decoder.
        Assert.Contains("target of 196 values is not supported", Fails(() => Options(new ImageShape(1, 28, 28), new[] { 8 }).BuildSpec(784, 196)).Message);

        // Hand-built specs: consecutive image layers must agree on the shape, not only on the flat size.
        var encoder = new LayerSpec[] { new Conv2dLayerSpec(new ImageShape(1, 8, 8), 4, 3, 2, 1, Activation.ReLU), new DenseLayerSpec(64, 4, Activation.None) };
        var decoder = new LayerSpec[]
        {
            new DenseLayerSpec(4, 64, Activation.ReLU),
            new Conv2dLayerSpec(new ImageShape(16, 2, 2), 4, 1, 1, 0, Activation.ReLU),
            new ConvTranspose2dLayerSpec(new ImageShape(1, 4, 4), 1, 3, 2, 1, 1, Activation.None),
        };
        TorchRuntime.EnsureInitialized();
        var mismatch = Fails(() => new AutoencoderNetwork(new AutoencoderSpec(encoder, decoder, OutputActivation.Identity)));
        Assert.Contains("outputs images of 4×2×2 but layer 2 takes 1×4×4", mismatch.Message);
    }
}

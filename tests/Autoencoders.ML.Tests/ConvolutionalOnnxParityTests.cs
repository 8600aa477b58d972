using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Plain;
using Autoencoders.ML.Layers;
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

/// <summary>
/// The ONNX graphs of convolutional autoencoders (Conv, ConvTranspose, Resize + Conv, BatchNormalization, Reshape,
/// Flatten, Slice, Pad), run by ONNX Runtime, against the TorchSharp module in evaluation mode on MNIST digits laid out
/// as 1×28×28, 3×32×32 and the odd 3×45×61.
/// </summary>
public sealed class ConvolutionalOnnxParityTests
{
    private const int Batch = 32;
    private readonly ITestOutputHelper output;

    public ConvolutionalOnnxParityTests(ITestOutputHelper output) => this.output = output;

    public static IEnumerable<object[]> Cases() => new[]
    {
        new object[] { 1, 28, 28, UpsamplingMode.TransposedConvolution, Activation.ReLU, OutputActivation.Identity },
        new object[] { 3, 32, 32, UpsamplingMode.UpsampleConvolution, Activation.GELU, OutputActivation.Sigmoid },
        new object[] { 3, 45, 61, UpsamplingMode.TransposedConvolution, Activation.LeakyReLU, OutputActivation.Sigmoid },
        new object[] { 3, 45, 61, UpsamplingMode.UpsampleConvolution, Activation.ELU, OutputActivation.Identity },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntimeMatchesTorchSharp(int channels, int height, int width, UpsamplingMode upsampling, Activation activation, OutputActivation outputActivation)
    {
        var shape = new ImageShape(channels, height, width);
        var options = new AutoencoderOptions
        {
            HiddenSizes = new[] { 64 },
            LatentSize = 16,
            HiddenActivation = activation,
            OutputActivation = outputActivation,
            Loss = outputActivation == OutputActivation.Sigmoid ? ReconstructionLoss.BinaryCrossEntropy : ReconstructionLoss.MeanSquaredError,
            Convolution = new ConvolutionalAutoencoderOptions { ImageShape = shape, Filters = new[] { 8, 16, 16 }, BatchNorm = true, Upsampling = upsampling },
        };
        using var model = RandomModel(options.BuildSpec(shape.Size), options, seed: height + channels);
        double worst = Compare(model, MnistImages.Of(shape, Batch));
        output.WriteLine($"{shape} {upsampling} {activation} {outputActivation}: max |ONNX − torch| {worst:E2}");

        var proto = global::Onnx.ModelProto.Parser.ParseFrom(model.ToOnnx(OnnxGraphKind.Autoencoder));
        var ops = proto.Graph.Node.Select(n => n.OpType).ToHashSet();
        Assert.Contains("Reshape", ops);
        Assert.Contains("Flatten", ops);
        Assert.Contains("Conv", ops);
        Assert.Contains("BatchNormalization", ops);
        Assert.Contains(upsampling == UpsamplingMode.UpsampleConvolution ? "Resize" : "ConvTranspose", ops);
        Assert.Equal(height % 8 != 0 || width % 8 != 0, ops.Contains("Slice"));
        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("convolutional", metadata["kind"]);
        Assert.Equal("flat_chw", metadata["input_layout"]);
        Assert.Equal($"{channels}x{height}x{width}", metadata["image_shape"]);
        Assert.Equal(shape.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["input_size"]);
        Assert.Contains("channel-major", proto.DocString);
    }

    [Fact]
    public void CropAndPadMatchTorchSharp()
    {
        // A hand-built decoder ends 3×7×7 → crop the height and pad the width (5×9) → pad both (9×9).
        var encoder = new LayerSpec[] { new Conv2dLayerSpec(new ImageShape(3, 9, 9), 4, 3, 2, 0, Activation.Tanh), new DenseLayerSpec(64, 8, Activation.None) };
        var decoder = new LayerSpec[]
        {
            new DenseLayerSpec(8, 64, Activation.Tanh),
            new ConvTranspose2dLayerSpec(new ImageShape(4, 4, 4), 3, 3, 2, 1, 0, Activation.None),
            new CropOrPadLayerSpec(new ImageShape(3, 7, 7), 5, 9),
            new CropOrPadLayerSpec(new ImageShape(3, 5, 9), 9, 9),
        };
        var spec = new AutoencoderSpec(encoder, decoder, OutputActivation.Identity);
        using var model = RandomModel(spec, new AutoencoderOptions(), seed: 7);
        double worst = Compare(model, MnistImages.Of(new ImageShape(3, 9, 9), Batch));
        output.WriteLine($"crop + pad: max |ONNX − torch| {worst:E2}");

        // The padded bottom rows and right columns are exactly zero in both.
        float[] reconstruction = model.Reconstruct(MnistImages.Of(new ImageShape(3, 9, 9), 1))[0];
        Assert.All(Enumerable.Range(0, 9).Select(x => reconstruction[(8 * 9) + x]), v => Assert.Equal(0f, v));
        Assert.Contains(global::Onnx.ModelProto.Parser.ParseFrom(model.ToOnnx(OnnxGraphKind.Decoder)).Graph.Node, n => n.OpType == "Pad");
    }

    [Fact]
    public void SavedPipelineScoresConvolutionalModelsRowByRow()
    {
        // mlContext.Model.Save embeds a per-row graph (input [C·H·W]); the reshape to [-1, C, H, W] must survive it.
        var ml = new MLContext(seed: 0);
        var shape = new ImageShape(1, 28, 28);
        var options = new AutoencoderOptions
        {
            HiddenSizes = Array.Empty<int>(),
            LatentSize = 8,
            Convolution = new ConvolutionalAutoencoderOptions { ImageShape = shape, Filters = new[] { 4, 8 }, BatchNorm = true },
        };
        using var model = RandomModel(options.BuildSpec(784), options, seed: 3);
        var columns = new AutoencoderColumns { ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error" };
        var data = Vectors.ToDataView(ml, Mnist.Test(20));
        using var transformer = ml.Transforms.ApplyAutoencoder(model, columns).Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"conv-pipeline-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(transformer, data.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            var expected = transformer.Transform(data).GetColumn<float[]>("Reconstruction").ToArray();
            var actual = loaded.Transform(data).GetColumn<float[]>("Reconstruction").ToArray();
            Assert.True(MaxAbsDifference(expected, actual.SelectMany(r => r).ToArray()) <= 1e-6);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Every graph at batch <see cref="Batch"/> and batch 1 against the module; returns the worst difference.</summary>
    private double Compare(AutoencoderModel model, float[][] rows)
    {
        using var encoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Encoder));
        using var decoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Decoder));
        using var autoencoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Autoencoder));
        double worst = 0;
        foreach (var batch in new[] { rows, new[] { rows[^1] } })
        {
            float[][] latent = model.Encode(batch);
            float[][] reconstruction = model.Reconstruct(batch);
            float[][] decoded = model.Decode(latent);
            AssertVaries(latent, "latent");
            AssertVaries(reconstruction, "reconstruction");
            var fromAutoencoder = Run(autoencoder, OnnxNames.Features, batch);
            foreach (var (name, expected, actual) in new[]
            {
                ("encoder latent", latent, Run(encoder, OnnxNames.Features, batch)[OnnxNames.Latent]),
                ("decoder reconstruction", decoded, Run(decoder, OnnxNames.Latent, latent)[OnnxNames.Reconstruction]),
                ("autoencoder latent", latent, fromAutoencoder[OnnxNames.Latent]),
                ("autoencoder reconstruction", reconstruction, fromAutoencoder[OnnxNames.Reconstruction]),
            })
            {
                double difference = MaxAbsDifference(expected, actual);
                Assert.True(difference <= Tolerance, $"{name}, batch {batch.Length}: max |ONNX − torch| = {difference:E3} > {Tolerance:E0}");
                worst = Math.Max(worst, difference);
                output.WriteLine($"  {name}@{batch.Length}: {difference:E2} (max |value| {expected.Max(r => r.Max(Math.Abs)):G3})");
            }
        }

        return worst;
    }

    /// <summary>Torch's initial weights, with batch-norm statistics and affine parameters drawn away from their identity defaults.</summary>
    private static AutoencoderModel RandomModel(AutoencoderSpec spec, AutoencoderOptions options, int seed)
    {
        TorchRuntime.EnsureInitialized();
        torch.manual_seed(seed);
        var network = new AutoencoderNetwork(spec);
        using (torch.no_grad())
        {
            // Torch's default init shrinks the signal through this many layers until the output hardly depends on the input,
            // which would make the comparison vacuous; variance-preserving weights keep it of order 1, as in a trained model.
            foreach (var stack in new[] { network.Encoder, network.Decoder })
            {
                for (int i = 0; i < stack.Specs.Count; i++)
                {
                    var (weight, fanIn) = (stack.Specs[i], stack.Layer(i)) switch
                    {
                        (DenseLayerSpec d, TorchSharp.Modules.Linear linear) => (linear.weight!, (double)d.In),
                        (Conv2dLayerSpec c, ConvolutionBlock block) => (block.Weight, (double)c.Input.Channels * c.KernelSize * c.KernelSize),
                        (UpsampleConv2dLayerSpec u, ConvolutionBlock block) => (block.Weight, (double)u.Input.Channels * u.KernelSize * u.KernelSize),
                        // Each output pixel of a stride-s transposed convolution sees about k²/s² input pixels per channel.
                        (ConvTranspose2dLayerSpec t, ConvolutionBlock block) => (block.Weight, (double)t.Input.Channels * t.KernelSize * t.KernelSize / (t.Stride * t.Stride)),
                        _ => (null, 0),
                    };
                    // He gain for rectifiers; 1 for the rest, so identity outputs stay near the [0, 1] range of images.
                    double gain = stack.Specs[i].Activation is Activation.ReLU or Activation.LeakyReLU ? Math.Sqrt(2) : 1;
                    weight?.normal_(0, gain / Math.Sqrt(fanIn));
                }
            }

            foreach (var (name, tensor) in network.state_dict())
            {
                if (name.Contains(".norm.", StringComparison.Ordinal) && tensor.dtype == torch.float32)
                {
                    // running_var and weight in [0.5, 1.5], running_mean and bias around 0.
                    bool positive = name.EndsWith("running_var", StringComparison.Ordinal) || name.EndsWith("weight", StringComparison.Ordinal);
                    if (positive)
                    {
                        tensor.uniform_(0.5, 1.5);
                    }
                    else
                    {
                        tensor.normal_(0, 0.2);
                    }
                }
            }
        }

        var history = new TrainingHistory(Array.Empty<EpochReport>(), 0, stoppedEarly: false, "training");
        return new AutoencoderModel(network, options, new TrainingOptions(), history);
    }
}

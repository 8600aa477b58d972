using System;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Plain;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Models;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using TorchSharp;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>The layer spec: built from options, mirrored, serialised, and the module built from it.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void DecoderMirrorsTheEncoder()
    {
        var spec = new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 }.BuildSpec(784);
        Assert.Equal("784-512-128-32-128-512-784", spec.ToString());
        Assert.Equal(784, spec.InputSize);
        Assert.Equal(32, spec.LatentSize);
        Assert.Equal(784, spec.OutputSize);
        Assert.Equal(new[] { Activation.ReLU, Activation.ReLU, Activation.None }, spec.Encoder.Select(l => l.Activation));
        Assert.Equal(new[] { Activation.ReLU, Activation.ReLU, Activation.None }, spec.Decoder.Select(l => l.Activation));
        Assert.Equal(OutputActivation.Identity, spec.OutputActivation);
        long expected = (784 * 512) + 512 + (512 * 128) + 128 + (128 * 32) + 32 + (32 * 128) + 128 + (128 * 512) + 512 + (512 * 784) + 784;
        Assert.Equal(expected, spec.ParameterCount);
    }

    [Fact]
    public void DecoderCanBeGivenExplicitlyAndBceDefaultsToSigmoid()
    {
        var spec = new AutoencoderOptions
        {
            HiddenSizes = new[] { 256 }, DecoderHiddenSizes = new[] { 64, 400 }, LatentSize = 10,
            Loss = ReconstructionLoss.BinaryCrossEntropy,
        }.BuildSpec(784);
        Assert.Equal("784-256-10-64-400-784", spec.ToString());
        Assert.Equal(OutputActivation.Sigmoid, spec.OutputActivation);
    }

    [Fact]
    public void SpecRoundTripsThroughJson()
    {
        var spec = new AutoencoderOptions { HiddenSizes = new[] { 100, 50 }, LatentSize = 5, HiddenActivation = Activation.GELU, Dropout = 0.25f }
            .BuildSpec(300);
        string json = spec.ToJson();
        Assert.Contains("\"type\": \"dense\"", json);
        Assert.Contains("\"GELU\"", json);
        var back = AutoencoderSpec.FromJson(json);
        Assert.Equal(spec.ToString(), back.ToString());
        Assert.Equal(spec.Encoder, back.Encoder);
        Assert.Equal(spec.Decoder, back.Decoder);
        Assert.Equal(spec.OutputActivation, back.OutputActivation);
    }

    [Fact]
    public void MismatchedLayersAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new AutoencoderSpec(
            new LayerSpec[] { new DenseLayerSpec(10, 5, Activation.ReLU), new DenseLayerSpec(6, 2, Activation.None) },
            new LayerSpec[] { new DenseLayerSpec(2, 10, Activation.None) },
            OutputActivation.Identity));
        Assert.Contains("outputs 5 values but layer 1 takes 6", e.Message);
    }

    [Fact]
    public void ModuleHasTheSpecsShapesAndStateDictNames()
    {
        TorchRuntime.EnsureInitialized();
        var spec = new AutoencoderOptions { HiddenSizes = new[] { 20 }, LatentSize = 3 }.BuildSpec(12);
        using var network = new AutoencoderNetwork(spec);
        var names = network.state_dict().Keys.ToArray();
        Assert.Equal(
            new[]
            {
                "encoder.layers.0.weight", "encoder.layers.0.bias", "encoder.layers.1.weight", "encoder.layers.1.bias",
                "decoder.layers.0.weight", "decoder.layers.0.bias", "decoder.layers.1.weight", "decoder.layers.1.bias",
            },
            names);
        Assert.Equal(new long[] { 20, 12 }, network.EncoderLayer(0).weight!.shape);
        using var scope = torch.NewDisposeScope();
        var x = torch.rand(7, 12);
        Assert.Equal(new long[] { 7, 3 }, network.Encode(x).shape);
        Assert.Equal(new long[] { 7, 12 }, network.forward(x).shape);
        Assert.Equal(spec.ParameterCount, network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void OptionsCarryTheirKindInJsonAndBuildTheirNetworkThroughTheRegistry()
    {
        TorchRuntime.EnsureInitialized();
        Assert.Equal(new[] { "dense", "variational", "gmvae" }, ModelKinds.All.Select(k => k.Name));
        foreach (var kind in ModelKinds.All)
        {
            var options = (AutoencoderOptions)Activator.CreateInstance(kind.OptionsType)!;
            options.LatentSize = 7;
            string json = JsonSerializer.Serialize(options, AutoencoderSpec.JsonOptions);
            Assert.Contains($"\"kind\": \"{kind.Name}\"", json);
            var read = JsonSerializer.Deserialize<AutoencoderOptions>(json, AutoencoderSpec.JsonOptions)!;
            Assert.IsType(kind.OptionsType, read);
            Assert.Equal(7, read.LatentSize);
            Assert.Same(kind, ModelKinds.For(read));
            using var network = ModelKinds.CreateNetwork(read.BuildSpec(12), read);
            Assert.Equal(kind.Name, network.Kind);
        }
    }

    [Fact]
    public void SpecJsonAsEarlierVersionsWroteItStillReads()
    {
        // Every layer type, with the property names and order of the layer records before they moved to Layers/.
        const string written = """
            {
              "encoder": [
                { "type": "conv2d", "input": { "channels": 1, "height": 5, "width": 5 }, "filters": 2, "kernelSize": 3, "stride": 2, "padding": 1, "act": "ReLU", "batchNorm": true },
                { "type": "dense", "in": 18, "out": 3, "act": "None", "dropout": 0 }
              ],
              "decoder": [
                { "type": "dense", "in": 3, "out": 18, "act": "Tanh", "dropout": 0.25 },
                { "type": "convTranspose2d", "input": { "channels": 2, "height": 3, "width": 3 }, "filters": 2, "kernelSize": 3, "stride": 2, "padding": 1, "outputPadding": 1, "act": "ELU", "batchNorm": false },
                { "type": "upsampleConv2d", "input": { "channels": 2, "height": 6, "width": 6 }, "filters": 1, "kernelSize": 3, "scale": 1, "act": "None", "batchNorm": false },
                { "type": "cropOrPad", "input": { "channels": 1, "height": 6, "width": 6 }, "height": 5, "width": 5 }
              ],
              "outputActivation": "Sigmoid"
            }
            """;
        var expected = new AutoencoderSpec(
            new LayerSpec[] { new Conv2dLayerSpec(new ImageShape(1, 5, 5), 2, 3, 2, 1, Activation.ReLU, true), new DenseLayerSpec(18, 3, Activation.None) },
            new LayerSpec[]
            {
                new DenseLayerSpec(3, 18, Activation.Tanh, 0.25f),
                new ConvTranspose2dLayerSpec(new ImageShape(2, 3, 3), 2, 3, 2, 1, 1, Activation.ELU),
                new UpsampleConv2dLayerSpec(new ImageShape(2, 6, 6), 1, 3, 1, Activation.None),
                new CropOrPadLayerSpec(new ImageShape(1, 6, 6), 5, 5),
            },
            OutputActivation.Sigmoid);
        var read = AutoencoderSpec.FromJson(written);
        Assert.Equal(expected.Encoder, read.Encoder);
        Assert.Equal(expected.Decoder, read.Decoder);
        Assert.Equal(expected.ToJson(), read.ToJson());
        Assert.Equal("1×5×5-2×3×3-3-18-2×6×6-1×6×6-1×5×5", read.ToString());
        Assert.Equal(expected.Encoder.Concat(expected.Decoder).Sum(l => l.ParameterCount), read.ParameterCount);
    }
}

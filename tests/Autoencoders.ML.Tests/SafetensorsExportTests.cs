using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.IO;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>The safetensors export holds exactly the network's state dict: PyTorch's keys, shapes, dtypes and values.</summary>
public sealed class SafetensorsExportTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SafetensorsHoldTheStateDictKeysShapesAndValues(bool convolutional)
    {
        var ml = new MLContext(seed: 0);
        var rows = Mnist.Train(300);
        var options = new AutoencoderOptions
        {
            HiddenSizes = new[] { 16 },
            LatentSize = 4,
            Convolution = convolutional
                ? new ConvolutionalAutoencoderOptions { ImageShape = new ImageShape(1, 28, 28), Filters = new[] { 4 }, BatchNorm = true }
                : null,
        };
        using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 1, Seed = 1 })
            .Fit(Vectors.ToDataView(ml, rows, size: 784));
        string path = Path.Combine(Path.GetTempPath(), $"ae-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.ExportSafetensors(path);
            var loaded = Safetensors.LoadStateDict(path);
            var expected = model.Network.state_dict();
            Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), loaded.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var (name, value) in expected)
            {
                var actual = loaded[name];
                Assert.Equal(value.shape, actual.shape);
                Assert.Equal(value.dtype, actual.dtype);
                Assert.True(value.cpu().equal(actual).all().ToBoolean(), $"{name} differs");
            }

            Assert.Equal(File.ReadAllBytes(path), model.ToSafetensors());
        }
        finally
        {
            File.Delete(path);
        }
    }
}

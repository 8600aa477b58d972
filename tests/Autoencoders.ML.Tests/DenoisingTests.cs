using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>Corruption, denoising training, paired targets and the denoising metrics.</summary>
public sealed class DenoisingTests
{
    private readonly MLContext ml = new(seed: 0);

    [Fact]
    public void CorruptionStatisticsMatchTheirParameters()
    {
        float[][] half = Enumerable.Range(0, 200).Select(_ => Enumerable.Repeat(0.5f, 500).ToArray()).ToArray(); // 100,000 values

        var masked = new CorruptionOptions(new[] { Corruption.Masking(0.3) }).Apply(half, seed: 1).SelectMany(r => r).ToArray();
        Assert.InRange(masked.Count(v => v == 0f) / (double)masked.Length, 0.29, 0.31);
        Assert.All(masked, v => Assert.True(v == 0f || v == 0.5f));

        var gaussian = new CorruptionOptions(new[] { Corruption.Gaussian(0.2) }).Apply(half, seed: 2).SelectMany(r => r).Select(v => (double)v - 0.5).ToArray();
        double mean = gaussian.Average();
        double std = Math.Sqrt(gaussian.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.003, 0.003);
        Assert.InRange(std, 0.197, 0.203);

        var salted = new CorruptionOptions(new[] { Corruption.SaltAndPepper(0.1, -1f, 2f) }).Apply(half, seed: 3).SelectMany(r => r).ToArray();
        Assert.InRange(salted.Count(v => v == 2f) / (double)salted.Length, 0.045, 0.055);
        Assert.InRange(salted.Count(v => v == -1f) / (double)salted.Length, 0.045, 0.055);

        var clipped = CorruptionOptions.GaussianClipped(0.5).Apply(half, seed: 4).SelectMany(r => r).ToArray();
        Assert.Equal(0f, clipped.Min());
        Assert.Equal(1f, clipped.Max());
    }

    [Fact]
    public void NoiseIsDeterminedByTheSeed()
    {
        float[][] rows = Mnist.Test(20);
        var options = new CorruptionOptions(new Corruption[] { Corruption.Gaussian(0.3), Corruption.Masking(0.2) }, 0f, 1f);
        Assert.Equal(options.Apply(rows, 5), options.Apply(rows, 5));
        Assert.NotEqual(options.Apply(rows, 5), options.Apply(rows, 6));

        // Training with the same seed draws the same noise: identical models; another seed: different models.
        var data = Mnist.TrainView(ml, 500);
        float[] Train(int seed)
        {
            var training = new TrainingOptions { Epochs = 1, Seed = seed, Corruption = options };
            using var model = new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 8 }, training).Fit(data);
            return model.Reconstruct(rows.Take(3).ToArray()).SelectMany(r => r).ToArray();
        }

        Assert.Equal(Train(1), Train(1));
        Assert.NotEqual(Train(1), Train(2));
    }

    [Fact]
    public void BadCorruptionOptionsFailWhenBuilt()
    {
        Assert.Contains("σ must be ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => Corruption.Gaussian(-0.1)).Message);
        Assert.Contains("must be in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => Corruption.Masking(1.5)).Message);
        Assert.Contains("must be in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => Corruption.SaltAndPepper(-0.1)).Message);
        Assert.Contains("min < max", Assert.Throws<ArgumentException>(() => Corruption.SaltAndPepper(0.1, 1f, 1f)).Message);
        Assert.Contains("at least one corruption", Assert.Throws<ArgumentException>(() => new CorruptionOptions(Array.Empty<Corruption>())).Message);
        Assert.Contains("min < max", Assert.Throws<ArgumentException>(() => new CorruptionOptions(new[] { Corruption.Gaussian(0.1) }, 1f, 0f)).Message);
    }

    [Fact]
    public void DenoiserBeatsAPlainAutoencoderOnHeldOutNoisyDigits()
    {
        var corruption = CorruptionOptions.GaussianClipped(0.5);
        var train = Mnist.TrainView(ml, 6000);
        var architecture = new AutoencoderOptions { HiddenSizes = new[] { 256 }, LatentSize = 32 };
        using var plain = new AutoencoderTrainer(ml, architecture, new TrainingOptions { Epochs = 10 }).Fit(train);
        using var denoiser = new AutoencoderTrainer(ml, architecture, new TrainingOptions { Epochs = 10, Corruption = corruption }).Fit(train);
        Assert.Equal("denoising", denoiser.Kind);
        Assert.Equal("dense", plain.Kind);

        // Noise the models never saw: other images, another seed.
        float[][] clean = Mnist.Test(1000);
        var test = Pairs(corruption.Apply(clean, seed: 12345), clean);
        var plainMetrics = plain.EvaluateDenoising(test, "Noisy", "Clean");
        var denoiserMetrics = denoiser.EvaluateDenoising(test, "Noisy", "Clean");
        Assert.True(denoiserMetrics.DenoisedMeanSquaredError < plainMetrics.DenoisedMeanSquaredError * 0.85,
            $"denoiser {denoiserMetrics.DenoisedMeanSquaredError}, plain {plainMetrics.DenoisedMeanSquaredError}");
        Assert.True(denoiserMetrics.PsnrGain > 5, $"PSNR gain {denoiserMetrics.PsnrGain:F2} dB");
        Assert.Equal(plainMetrics.NoisyPsnr, denoiserMetrics.NoisyPsnr, 10);
        Assert.Equal(1000, denoiserMetrics.Rows);
    }

    [Fact]
    public void PairedTargetsMapAnInputToAnotherSize()
    {
        // Super-resolution: 14×14 (2×2 average) → 28×28.
        float[][] full = Mnist.Train(6000);
        var data = Pairs(full.Select(Downsample).ToArray(), full, "Small", "Full");
        using var transformer = ml.Transforms.PairedAutoencoder("Upscaled", "Small", "Full", latentSize: 128, hiddenSizes: new[] { 256 }, epochs: 15).Fit(data);
        Assert.Equal(196, transformer.Model.InputSize);
        Assert.Equal(784, transformer.Model.Spec.OutputSize);

        float[][] testFull = Mnist.Test(300);
        var test = Pairs(testFull.Select(Downsample).ToArray(), testFull, "Small", "Full");
        var scored = transformer.Transform(test);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 784), scored.Schema["Upscaled"].Type);
        var metrics = transformer.Model.EvaluateDenoising(test, "Small", "Full");
        double nearestNeighbourMse = testFull.Zip(testFull.Select(f => Upsample(Downsample(f))))
            .SelectMany(p => p.First.Zip(p.Second, (a, b) => (double)(a - b) * (a - b))).Average();
        Assert.True(metrics.DenoisedMeanSquaredError < nearestNeighbourMse, $"model {metrics.DenoisedMeanSquaredError}, nearest {nearestNeighbourMse}");
        Assert.True(double.IsNaN(metrics.NoisyMeanSquaredError)); // sizes differ: no input-vs-clean figure
    }

    [Fact]
    public void PairedTargetColumnErrorsAreClear()
    {
        var data = Pairs(Mnist.Train(10), Mnist.Train(10));
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.PairedAutoencoder("Out", "Noisy", "Target").Fit(data));
        Assert.Contains("Could not find target column 'Target'", missing.Message);

        var wrongType = ml.Data.LoadFromEnumerable(new[] { new TextTarget { Noisy = new float[784], Target = "x" } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.PairedAutoencoder("Out", "Noisy", "Target").Fit(wrongType));
        Assert.Contains("Schema mismatch for target column 'Target': expected known-size vector of Single, got String", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.PairedAutoencoder("Out", "Noisy", "Target").GetOutputSchema(SchemaShapes.From(wrongType.Schema)));
        Assert.Contains("target column 'Target'", e.Message);

        // Continuing a 784 → 784 model with targets of another size.
        using var model = new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 16 }, LatentSize = 4 }, new TrainingOptions { Epochs = 1 })
            .Fit(data, "Noisy", targetColumnName: "Clean");
        var small = Pairs(Mnist.Train(10), Mnist.Train(10).Select(Downsample).ToArray());
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(ml).Continue(model, small, "Noisy", targetColumnName: "Clean"));
        Assert.Contains("target column 'Clean': expected vector of Single of size 784", e.Message);

        Assert.Throws<ArgumentException>(() => ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
        {
            TargetColumnName = "Clean",
            Columns = new AutoencoderColumns { ReconstructionErrorColumnName = "Error" },
        }));
    }

    [Fact]
    public void DenoiseTransformCleansAColumnAndSurvivesSaveAndLoad()
    {
        var corruption = CorruptionOptions.GaussianClipped(0.4);
        var train = Mnist.TrainView(ml, 6000);
        using var transformer = ml.Transforms.DenoisingAutoencoder("Denoised", "Features", corruption, latentSize: 32, hiddenSizes: new[] { 128 }, epochs: 10).Fit(train);
        Assert.Equal(new[] { "Features", "Denoised" }, transformer.GetOutputSchema(train.Schema).Select(c => c.Name));

        float[][] clean = Mnist.Test(200);
        float[][] noisy = corruption.Apply(clean, seed: 99);
        var scored = transformer.Transform(Vectors.ToDataView(ml, noisy));
        float[][] denoised = scored.GetColumn<float[]>("Denoised").ToArray();
        double before = Vectors.MeanSquaredError(noisy, clean);
        double after = Vectors.MeanSquaredError(denoised, clean);
        Assert.True(after < before / 2, $"noisy {before}, denoised {after}");

        string path = Path.Combine(Path.GetTempPath(), $"denoiser-{Guid.NewGuid():N}");
        try
        {
            ml.Model.Save(transformer, train.Schema, path + ".mlnet.zip");
            var loaded = new MLContext().Model.Load(path + ".mlnet.zip", out _);
            var again = loaded.Transform(Vectors.ToDataView(ml, noisy)).GetColumn<float[]>("Denoised").ToArray();
            Assert.True(TransformTests.MaxAbsDifference(again, denoised) <= 1e-6);

            // The corruption settings survive our own save/load too.
            transformer.Model.Save(path);
            using var model = AutoencoderModel.Load(path);
            Assert.Equal("denoising", model.Kind);
            var gaussian = Assert.IsType<GaussianNoise>(Assert.Single(model.Training.Corruption!.Corruptions));
            Assert.Equal(0.4, gaussian.StandardDeviation);
            Assert.Equal(1f, model.Training.Corruption.ClipMax);
        }
        finally
        {
            File.Delete(path + ".mlnet.zip");
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    internal static float[] Downsample(float[] image)
    {
        var small = new float[196];
        for (int y = 0; y < 14; y++)
        {
            for (int x = 0; x < 14; x++)
            {
                int i = (2 * y * 28) + (2 * x);
                small[(y * 14) + x] = (image[i] + image[i + 1] + image[i + 28] + image[i + 29]) / 4f;
            }
        }

        return small;
    }

    private static float[] Upsample(float[] small)
    {
        var image = new float[784];
        for (int i = 0; i < 784; i++)
        {
            image[i] = small[((i / 28 / 2) * 14) + (i % 28 / 2)];
        }

        return image;
    }

    private IDataView Pairs(IReadOnlyList<float[]> noisy, IReadOnlyList<float[]> clean, string noisyName = "Noisy", string cleanName = "Clean")
    {
        var schema = SchemaDefinition.Create(typeof(Pair));
        var n = schema[nameof(Pair.Noisy)];
        n.ColumnType = new VectorDataViewType(NumberDataViewType.Single, noisy[0].Length);
        var c = schema[nameof(Pair.Clean)];
        c.ColumnType = new VectorDataViewType(NumberDataViewType.Single, clean[0].Length);
        n.ColumnName = noisyName;
        c.ColumnName = cleanName;
        return ml.Data.LoadFromEnumerable(clean.Zip(noisy, (a, b) => new Pair { Clean = a, Noisy = b }).ToList(), schema);
    }

    private sealed class Pair
    {
        public float[] Noisy { get; set; } = Array.Empty<float>();

        public float[] Clean { get; set; } = Array.Empty<float>();
    }

    private sealed class TextTarget
    {
        [VectorType(784)]
        public float[] Noisy { get; set; } = Array.Empty<float>();

        public string Target { get; set; } = string.Empty;
    }
}

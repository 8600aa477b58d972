using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Autoencoders.ML.Runtime;
using Microsoft.ML;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>Image augmentation: shifts move whole pixels, turns rotate and sizes scale about the centre, slants shear rows sideways; as a training option it is seeded, checked before training and teaches the network moved digits.</summary>
public sealed class ImageAugmentationTests
{
    [Fact]
    public void ShiftsMovePixelsAndTurnsRotateAboutTheCentre()
    {
        TorchRuntime.EnsureInitialized();
        var shape = new ImageShape(1, 9, 9);
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        // One bright pixel two columns right of the centre (row 4, column 6).
        var row = zeros(1, 81);
        row[0, (4 * 9) + 6] = tensor(1f);

        // Shifts alone: the pixel keeps its value and lands within one pixel of where it was.
        var shifted = new ImageAugmentation(shape, maxShift: 1).Apply(row.repeat(64, 1), generator);
        Assert.Equal(64f, shifted.sum().ToSingle(), 3);
        Assert.All(Enumerable.Range(0, 64), i =>
        {
            int at = (int)shifted[i].argmax().ToInt64();
            Assert.InRange(Math.Abs((at / 9) - 4), 0, 1);
            Assert.InRange(Math.Abs((at % 9) - 6), 0, 1);
        });

        // Turns of up to 90 degrees either way: the pixel stays (bilinearly spread) at distance 2 from the centre.
        var turned = new ImageAugmentation(shape, maxShift: 0, maxRotation: 90).Apply(row.repeat(64, 1), generator);
        var images = turned.reshape(64, 9, 9);
        var ys = arange(9, ScalarType.Float32).reshape(9, 1) - 4;
        var xs = arange(9, ScalarType.Float32).reshape(1, 9) - 4;
        var mass = images.sum(new long[] { 1, 2 });
        var distance = ((images * (ys.pow(2) + xs.pow(2)).sqrt()).sum(new long[] { 1, 2 }) / mass).data<float>().ToArray();
        Assert.All(distance, d => Assert.InRange(d, 1.5f, 2.5f));
        // Not every row stays where it was: the angles differ.
        Assert.True(images.reshape(64, 81).argmax(1).unique().Item1.shape[0] > 3);
    }

    [Fact]
    public void ScalesResizeAboutTheCentreAndShearsSlantRowsSideways()
    {
        TorchRuntime.EnsureInitialized();
        var shape = new ImageShape(1, 9, 9);
        using var scope = NewDisposeScope();
        var ys = arange(9, ScalarType.Float32).reshape(1, 9, 1) - 4;
        var xs = arange(9, ScalarType.Float32).reshape(1, 1, 9) - 4;
        (float[] Row, float[] Column) Centres(Tensor rows)
        {
            var images = rows.reshape(-1, 9, 9);
            var mass = images.sum(new long[] { 1, 2 });
            return ((images * ys).sum(new long[] { 1, 2 }).div(mass).data<float>().ToArray(), (images * xs).sum(new long[] { 1, 2 }).div(mass).data<float>().ToArray());
        }

        // Sizes in [0.5, 1.5]: a pixel two columns right of the centre lands 1 to 3 columns right, on its row.
        var right = zeros(1, 81);
        right[0, (4 * 9) + 6] = tensor(1f);
        using (var generator = new Generator(3))
        {
            var (rowsAt, columnsAt) = Centres(new ImageAugmentation(shape, maxShift: 0, maxScale: 0.5).Apply(right.repeat(64, 1), generator));
            Assert.All(rowsAt, r => Assert.InRange(r, -0.01f, 0.01f));
            Assert.All(columnsAt, c => Assert.InRange(c, 0.9f, 3.1f));
            Assert.True(columnsAt.Max() - columnsAt.Min() > 1, "the sizes differ from row to row");
        }

        // Slants up to 45°: a pixel two rows below the centre moves sideways by up to 2 columns and stays on its row;
        // the centre pixel does not move.
        var below = zeros(1, 81);
        below[0, (6 * 9) + 4] = tensor(1f);
        using (var generator = new Generator(3))
        {
            var (rowsAt, columnsAt) = Centres(new ImageAugmentation(shape, maxShift: 0, maxShear: 45).Apply(below.repeat(64, 1), generator));
            Assert.All(rowsAt, r => Assert.InRange(r, 1.99f, 2.01f));
            Assert.All(columnsAt, c => Assert.InRange(c, -2.01f, 2.01f));
            Assert.True(columnsAt.Max() - columnsAt.Min() > 1.5, "the slants differ from row to row");
            var centre = zeros(1, 81);
            centre[0, 40] = tensor(1f);
            Assert.Equal(1f, new ImageAugmentation(shape, maxShift: 0, maxShear: 45).Apply(centre.repeat(8, 1), generator)[.., 40].min().ToSingle(), 4);
        }

        // Off (0), they are not written: the saved JSON and a checkpoint's fingerprint of an older run stay the same.
        string json = System.Text.Json.JsonSerializer.Serialize(new ImageAugmentation(shape, 1, 15));
        Assert.DoesNotContain("Scale", json);
        Assert.DoesNotContain("Shear", json);
        var roundTrip = System.Text.Json.JsonSerializer.Deserialize<ImageAugmentation>(System.Text.Json.JsonSerializer.Serialize(new ImageAugmentation(shape, 1, 15, 0.1, 10)))!;
        Assert.Equal((0.1, 10.0), (roundTrip.MaxScale, roundTrip.MaxShear));
        Assert.Equal(0.0, System.Text.Json.JsonSerializer.Deserialize<ImageAugmentation>(json)!.MaxScale);
    }

    [Fact]
    public void TrainingOnMovedImagesIsSeededAndReconstructsMovedDigitsBetter()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 3000);
        var augmentation = new ImageAugmentation(new ImageShape(1, 28, 28), maxShift: 2);
        float[][] test = Mnist.Test(300);
        // The test digits moved by 2 pixels right and 2 down: what a network that only saw centred digits reconstructs worst.
        float[][] moved = test.Select(r => Enumerable.Range(0, 784).Select(i => i / 28 >= 2 && i % 28 >= 2 ? r[i - (2 * 28) - 2] : 0f).ToArray()).ToArray();
        AutoencoderModel Train(ImageAugmentation? a, int seed) => new AutoencoderTrainer(
            ml, new AutoencoderOptions { HiddenSizes = new[] { 128 }, LatentSize = 16, Loss = ReconstructionLoss.BinaryCrossEntropy },
            new TrainingOptions { Epochs = 10, BatchSize = 64, Seed = seed, Augmentation = a, CompareWithPca = false }).Fit(data);

        using var plain = Train(null, 1);
        using var augmented = Train(augmentation, 1);
        using var again = Train(augmentation, 1);
        Assert.Equal(augmented.Reconstruct(test.Take(5).ToArray()), again.Reconstruct(test.Take(5).ToArray()));
        double plainMoved = plain.Evaluate(Vectors.ToDataView(ml, moved)).SquaredErrorPerRow;
        double augmentedMoved = augmented.Evaluate(Vectors.ToDataView(ml, moved)).SquaredErrorPerRow;
        Assert.True(augmentedMoved < 0.8 * plainMoved, $"moved digits: squared error {augmentedMoved:F2} with augmentation vs {plainMoved:F2} without");

        // The saved model remembers how it was trained.
        string folder = Path.Combine(Path.GetTempPath(), "augmentation-" + Guid.NewGuid().ToString("N"));
        try
        {
            augmented.Save(folder);
            using var loaded = AutoencoderModel.Load(folder);
            Assert.Equal(augmentation.Image, loaded.Training.Augmentation!.Image);
            Assert.Equal(2, loaded.Training.Augmentation.MaxShift);
            Assert.Equal(augmented.Reconstruct(test.Take(5).ToArray()), loaded.Reconstruct(test.Take(5).ToArray()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AugmentationIsCheckedBeforeTraining()
    {
        var ml = new MLContext(seed: 0);
        Assert.Throws<ArgumentOutOfRangeException>("maxShift", () => new ImageAugmentation(new ImageShape(1, 28, 28), maxShift: 28));
        Assert.Throws<ArgumentOutOfRangeException>("maxRotation", () => new ImageAugmentation(new ImageShape(1, 28, 28), maxShift: 1, maxRotation: -5));
        Assert.Throws<ArgumentOutOfRangeException>("maxScale", () => new ImageAugmentation(new ImageShape(1, 28, 28), maxShift: 1, maxScale: 0.6));
        Assert.Throws<ArgumentOutOfRangeException>("maxShear", () => new ImageAugmentation(new ImageShape(1, 28, 28), maxShift: 1, maxShear: double.NaN));
        var wrongShape = new TrainingOptions { Epochs = 1, Augmentation = new ImageAugmentation(new ImageShape(1, 20, 20), maxShift: 2) };
        var e = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 16 }, LatentSize = 4 }, wrongShape)
            .Fit(Mnist.TrainView(ml, 50)));
        Assert.Contains("1×20×20", e.Message);
        Assert.Contains("784", e.Message);
    }
}

using System;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>The fine-tuning augmentation: shifts move whole pixels, turns rotate about the centre.</summary>
public sealed class ImageShiftTests
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
        var shifted = new ImageShift(shape, maxShift: 1).Apply(row.repeat(64, 1), generator);
        Assert.Equal(64f, shifted.sum().ToSingle(), 3);
        Assert.All(Enumerable.Range(0, 64), i =>
        {
            int at = (int)shifted[i].argmax().ToInt64();
            Assert.InRange(Math.Abs((at / 9) - 4), 0, 1);
            Assert.InRange(Math.Abs((at % 9) - 6), 0, 1);
        });

        // Turns of up to 90 degrees either way: the pixel stays (bilinearly spread) at distance 2 from the centre.
        var turned = new ImageShift(shape, maxShift: 0, maxRotation: 90).Apply(row.repeat(64, 1), generator);
        var images = turned.reshape(64, 9, 9);
        var ys = arange(9, ScalarType.Float32).reshape(9, 1) - 4;
        var xs = arange(9, ScalarType.Float32).reshape(1, 9) - 4;
        var mass = images.sum(new long[] { 1, 2 });
        var distance = ((images * (ys.pow(2) + xs.pow(2)).sqrt()).sum(new long[] { 1, 2 }) / mass).data<float>().ToArray();
        Assert.All(distance, d => Assert.InRange(d, 1.5f, 2.5f));
        // Not every row stays where it was: the angles differ.
        Assert.True(images.reshape(64, 81).argmax(1).unique().Item1.shape[0] > 3);
    }
}

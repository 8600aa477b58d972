using System;
using System.Collections.Generic;
using Autoencoders.ML.Architecture;

namespace Autoencoders.ML.Tests;

/// <summary>Real MNIST digits laid out as images of any shape, channel-major (C×H×W), for convolutional tests.</summary>
internal static class MnistImages
{
    /// <summary>
    /// <paramref name="count"/> images of <paramref name="shape"/>: channel c of image i is training digit i·C + c,
    /// top-left cropped or zero-padded to H×W and shifted by c pixels so the channels differ in position too.
    /// </summary>
    public static float[][] Of(ImageShape shape, int count)
    {
        float[][] digits = Mnist.Train(count * shape.Channels);
        var images = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var image = new float[shape.Size];
            for (int c = 0; c < shape.Channels; c++)
            {
                float[] digit = digits[(i * shape.Channels) + c];
                for (int y = 0; y < Math.Min(28, shape.Height - c); y++)
                {
                    for (int x = 0; x < Math.Min(28, shape.Width - c); x++)
                    {
                        image[(c * shape.Height * shape.Width) + ((y + c) * shape.Width) + x + c] = digit[(y * 28) + x];
                    }
                }
            }

            images[i] = image;
        }

        return images;
    }

    /// <summary>The first <paramref name="count"/> rows of <paramref name="rows"/>.</summary>
    public static float[][] Take(IReadOnlyList<float[]> rows, int count)
    {
        var taken = new float[count][];
        for (int i = 0; i < count; i++)
        {
            taken[i] = rows[i];
        }

        return taken;
    }
}

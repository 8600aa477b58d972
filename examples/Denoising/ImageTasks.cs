using System;
using System.Collections.Generic;
using System.Linq;

namespace Autoencoders.ML.Examples;

/// <summary>The degradations of the image-to-image tasks, on 28×28 MNIST digits with values in [0, 1].</summary>
internal static class ImageTasks
{
    /// <summary>One colour per digit: the coloring task paints a digit by what it is, so the network must read its shape.</summary>
    public static readonly float[][] Palette =
    {
        new[] { 0.90f, 0.10f, 0.10f }, new[] { 0.10f, 0.75f, 0.10f }, new[] { 0.15f, 0.30f, 0.95f }, new[] { 0.95f, 0.85f, 0.10f },
        new[] { 0.85f, 0.10f, 0.85f }, new[] { 0.10f, 0.85f, 0.85f }, new[] { 1.00f, 0.55f, 0.05f }, new[] { 0.55f, 0.25f, 0.05f },
        new[] { 0.60f, 0.60f, 0.60f }, new[] { 0.45f, 0.05f, 0.65f },
    };

    // "AE" in a 3×5 pixel font, the watermark stamp.
    private static readonly string[] Stamp =
    {
        "###.###",
        "#.#.#..",
        "###.##.",
        "#.#.#..",
        "#.#.###",
    };

    /// <summary>2×2 average pooling: 28×28 → 14×14.</summary>
    public static float[] Downsample(float[] image)
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

    /// <summary>Nearest-neighbour 14×14 → 28×28, the baseline super-resolution and the way inputs are shown.</summary>
    public static float[] UpsampleNearest(float[] small)
    {
        var image = new float[784];
        for (int i = 0; i < 784; i++)
        {
            image[i] = small[((i / 28 / 2) * 14) + (i % 28 / 2)];
        }

        return image;
    }

    /// <summary>
    /// Overlays the "AE" stamp, scaled ×2 (14×10 pixels), at a random position with a random opacity in [0.5, 0.9]:
    /// pixel' = pixel + opacity·stamp·(1 − pixel).
    /// </summary>
    public static float[] Watermark(float[] image, Random random)
    {
        var marked = (float[])image.Clone();
        int top = random.Next(0, 28 - 10 + 1);
        int left = random.Next(0, 28 - 14 + 1);
        float opacity = 0.5f + (0.4f * (float)random.NextDouble());
        for (int y = 0; y < 10; y++)
        {
            for (int x = 0; x < 14; x++)
            {
                if (Stamp[y / 2][x / 2] == '#')
                {
                    int i = ((top + y) * 28) + left + x;
                    marked[i] += opacity * (1 - marked[i]);
                }
            }
        }

        return marked;
    }

    /// <summary>The digit painted in its label's colour, RGB channel-major (3×28×28).</summary>
    public static float[] Colorize(float[] image, int label)
    {
        var rgb = new float[3 * 784];
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 784; i++)
            {
                rgb[(c * 784) + i] = image[i] * Palette[label][c];
            }
        }

        return rgb;
    }

    /// <summary>The palette entry nearest to the intensity-weighted mean colour of an RGB image.</summary>
    public static int DominantColor(float[] rgb, float[] grey)
    {
        var mean = new double[3];
        double weight = grey.Sum() + 1e-6;
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 784; i++)
            {
                mean[c] += rgb[(c * 784) + i] * grey[i];
            }
        }

        // Compare chromaticity (colour normalised by brightness), so a dim stroke still counts as its hue.
        double norm = Math.Sqrt(mean.Sum(v => v * v)) + 1e-9;
        return Enumerable.Range(0, Palette.Length).MinBy(k =>
        {
            double pn = Math.Sqrt(Palette[k].Sum(v => (double)v * v));
            return Enumerable.Range(0, 3).Sum(c => Math.Pow((mean[c] / norm) - (Palette[k][c] / pn), 2));
        });
    }

    public static double MeanSquaredError(IReadOnlyList<float[]> a, IReadOnlyList<float[]> b) =>
        a.Zip(b).SelectMany(p => p.First.Zip(p.Second, (x, y) => (double)(x - y) * (x - y))).Average();
}

using System;
using System.Collections.Generic;
using System.IO;
using SkiaSharp;

namespace Autoencoders.ML.Examples;

/// <summary>Writes rows of images (values in [0, 1], layout C×H×W) as one PNG grid, with SkiaSharp.</summary>
internal static class ImageGrid
{
    /// <summary>Saves <paramref name="rows"/> (each a list of images) as a grid, one image row per list.</summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="rows">Grid rows; every image has <paramref name="channels"/>·<paramref name="height"/>·<paramref name="width"/> values in [0, 1].</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="channels">1 (grey) or 3 (RGB, channel-major as ML.NET's ExtractPixels writes by default).</param>
    /// <param name="scale">Pixel magnification.</param>
    public static void Save(string path, IReadOnlyList<IReadOnlyList<float[]>> rows, int height, int width, int channels = 1, int scale = 2) =>
        File.WriteAllBytes(path, Encode(rows, height, width, channels, scale));

    /// <summary>The grid of <see cref="Save"/> as PNG bytes (e.g. to embed in a page).</summary>
    /// <param name="rows">Grid rows; every image has <paramref name="channels"/>·<paramref name="height"/>·<paramref name="width"/> values in [0, 1].</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="channels">1 (grey) or 3 (RGB, channel-major).</param>
    /// <param name="scale">Pixel magnification.</param>
    /// <returns>The PNG file's bytes.</returns>
    public static byte[] Encode(IReadOnlyList<IReadOnlyList<float[]>> rows, int height, int width, int channels = 1, int scale = 2)
    {
        const int Gap = 2;
        int columns = 0;
        foreach (var row in rows)
        {
            columns = Math.Max(columns, row.Count);
        }

        int cellW = (width * scale) + Gap;
        int cellH = (height * scale) + Gap;
        using var bitmap = new SKBitmap((columns * cellW) + Gap, (rows.Count * cellH) + Gap, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(SKColors.White);
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < rows[r].Count; c++)
            {
                float[] pixels = rows[r][c];
                if (pixels.Length != channels * height * width)
                {
                    throw new ArgumentException($"Image {c} of grid row {r} has {pixels.Length} values; expected {channels}×{height}×{width}.");
                }

                for (int y = 0; y < height * scale; y++)
                {
                    for (int x = 0; x < width * scale; x++)
                    {
                        int i = ((y / scale) * width) + (x / scale);
                        byte Channel(int ch) => (byte)Math.Clamp(MathF.Round(pixels[(ch * height * width) + i] * 255f), 0, 255);
                        var color = channels == 3 ? new SKColor(Channel(0), Channel(1), Channel(2)) : new SKColor(Channel(0), Channel(0), Channel(0));
                        bitmap.SetPixel(Gap + (c * cellW) + x, Gap + (r * cellH) + y, color);
                    }
                }
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}

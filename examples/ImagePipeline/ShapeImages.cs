using System;
using System.IO;
using SkiaSharp;

namespace Autoencoders.ML.Examples;

/// <summary>Draws the example's input images and writes channel-major float images back as PNGs.</summary>
internal static class ShapeImages
{
    /// <summary>Writes <paramref name="count"/> PNGs of one random shape each and returns their paths.</summary>
    public static string[] Generate(string folder, int count, int size, int seed)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var paths = new string[count];
        for (int i = 0; i < count; i++)
        {
            using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using var canvas = new SKCanvas(bitmap);
            canvas.Clear(RandomColor(random, 0, 110));
            using var paint = new SKPaint { Color = RandomColor(random, 120, 256), IsAntialias = true, Style = SKPaintStyle.Fill };
            float r = size * (0.18f + (0.17f * random.NextSingle()));
            float cx = r + ((size - (2 * r)) * random.NextSingle());
            float cy = r + ((size - (2 * r)) * random.NextSingle());
            switch (i % 3)
            {
                case 0:
                    canvas.DrawCircle(cx, cy, r, paint);
                    break;
                case 1:
                    canvas.DrawRect(cx - r, cy - r, 2 * r, 2 * r, paint);
                    break;
                default:
                    using (var path = new SKPath())
                    {
                        path.MoveTo(cx, cy - r);
                        path.LineTo(cx + r, cy + r);
                        path.LineTo(cx - r, cy + r);
                        path.Close();
                        canvas.DrawPath(path, paint);
                    }

                    break;
            }

            paths[i] = Path.Combine(folder, $"shape_{i:D3}.png");
            Save(bitmap, paths[i]);
        }

        return paths;
    }

    /// <summary>Saves a 3×<paramref name="height"/>×<paramref name="width"/> channel-major image with values in [0, 1] as an RGB PNG.</summary>
    public static void SavePlanar(string path, float[] pixels, int height, int width)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        int plane = height * width;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = (y * width) + x;
                byte Channel(int c) => (byte)Math.Clamp(MathF.Round(pixels[(c * plane) + i] * 255f), 0, 255);
                bitmap.SetPixel(x, y, new SKColor(Channel(0), Channel(1), Channel(2)));
            }
        }

        Save(bitmap, path);
    }

    private static SKColor RandomColor(Random random, int low, int high) =>
        new((byte)random.Next(low, high), (byte)random.Next(low, high), (byte)random.Next(low, high));

    private static void Save(SKBitmap bitmap, string path)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }
}

using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using SkiaSharp;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>
/// The vector layout of ML.NET's ExtractPixels with default options, which convolutional autoencoders read as
/// C×H×W: planar (all red values row by row, then all green, then all blue), no alpha, values 0–255 unless scaled.
/// </summary>
public sealed class ExtractPixelsLayoutTests
{
    [Fact]
    public void DefaultExtractPixelsIsChannelMajorRgbWithoutAlpha()
    {
        const int Width = 3;
        const int Height = 2;
        string folder = Directory.CreateTempSubdirectory("extract-pixels-").FullName;
        try
        {
            // Pixel (x, y) has red 10·(y·W + x) + 1, green that + 100, blue that + 200: every value says where it came from.
            using (var bitmap = new SKBitmap(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque))
            {
                for (int y = 0; y < Height; y++)
                {
                    for (int x = 0; x < Width; x++)
                    {
                        byte r = (byte)((10 * ((y * Width) + x)) + 1);
                        bitmap.SetPixel(x, y, new SKColor(r, (byte)(r + 100), (byte)(r + 200)));
                    }
                }

                using var image = SKImage.FromBitmap(bitmap);
                using var png = image.Encode(SKEncodedImageFormat.Png, 100);
                using var file = File.Create(Path.Combine(folder, "pixels.png"));
                png.SaveTo(file);
            }

            var ml = new MLContext(seed: 0);
            var data = ml.Data.LoadFromEnumerable(new[] { new ImageRow { Path = "pixels.png" } });
            var pipeline = ml.Transforms.LoadImages("Image", folder, nameof(ImageRow.Path))
                // ExtractPixels needs a known image size, which only ResizeImages declares; resizing to the same size keeps every pixel.
                .Append(ml.Transforms.ResizeImages("Image", Width, Height))
                .Append(ml.Transforms.ExtractPixels("Pixels", "Image"));
            var scored = pipeline.Fit(data).Transform(data);
            Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3, Height, Width), scored.Schema["Pixels"].Type);
            float[] pixels = scored.GetColumn<float[]>("Pixels").Single();

            float[] red = Enumerable.Range(0, Height * Width).Select(i => (10f * i) + 1).ToArray();
            float[] expected = red.Concat(red.Select(v => v + 100)).Concat(red.Select(v => v + 200)).ToArray();
            Assert.Equal(expected, pixels);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class ImageRow
    {
        public string Path { get; set; } = string.Empty;
    }
}

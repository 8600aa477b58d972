using System;
using System.IO;
using Autoencoders.ML.Data;
using Microsoft.ML;

namespace Autoencoders.ML.Tests;

/// <summary>Slices of the bundled MNIST files (pixels /255), loaded once per test run.</summary>
internal static class Mnist
{
    private static readonly Lazy<IdxFile> TrainImages = new(() => IdxFile.Read(PathOf("train-images-idx3-ubyte.gz"), 10_000));
    private static readonly Lazy<IdxFile> TestImages = new(() => IdxFile.Read(PathOf("t10k-images-idx3-ubyte.gz"), 2_000));

    public static string Folder { get; } = FindFolder();

    public static string PathOf(string file) => Path.Combine(Folder, file);

    /// <summary>The first <paramref name="count"/> training images as rows of 784 values in [0, 1].</summary>
    public static float[][] Train(int count) => Rows(TrainImages.Value, count);

    /// <summary>The first <paramref name="count"/> test images as rows of 784 values in [0, 1].</summary>
    public static float[][] Test(int count) => Rows(TestImages.Value, count);

    public static IDataView TrainView(MLContext ml, int count) => Vectors.ToDataView(ml, Train(count));

    public static IDataView TestView(MLContext ml, int count) => Vectors.ToDataView(ml, Test(count));

    private static float[][] Rows(IdxFile file, int count)
    {
        if (count > file.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Only {file.Count} images are loaded for tests.");
        }

        var rows = new float[count][];
        for (int i = 0; i < count; i++)
        {
            rows[i] = new float[784];
            for (int j = 0; j < 784; j++)
            {
                rows[i][j] = file.Values[(i * 784) + j] / 255f;
            }
        }

        return rows;
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "mnist");
            if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("data/mnist with the MNIST IDX files was not found above " + AppContext.BaseDirectory);
    }
}

using System;
using System.IO;
using Autoencoders.ML.Data;
using Microsoft.ML;

namespace Autoencoders.ML.Examples;

/// <summary>The MNIST files shipped in the repository's data/mnist folder.</summary>
internal static class BundledMnist
{
    public static string Folder { get; } = Find();

    /// <summary>The 60,000 training images, pixels scaled to [0, 1] by /255, with labels.</summary>
    public static IDataView Train(MLContext ml, int? rows = null) =>
        ml.Data.LoadFromIdx(Path.Combine(Folder, "train-images-idx3-ubyte.gz"), Path.Combine(Folder, "train-labels-idx1-ubyte.gz"), 1f / 255, rows);

    /// <summary>The 10,000 test images, pixels scaled to [0, 1] by /255, with labels.</summary>
    public static IDataView Test(MLContext ml, int? rows = null) =>
        ml.Data.LoadFromIdx(Path.Combine(Folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(Folder, "t10k-labels-idx1-ubyte.gz"), 1f / 255, rows);

    private static string Find()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data", "mnist");
                if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("Could not find data/mnist (the bundled MNIST files). Run the example from inside the repository.");
    }
}

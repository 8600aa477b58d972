using System.Globalization;
using Autoencoders.ML.Data;

namespace Autoencoders.ML.Cli.Input;

/// <summary>Loads --data: CSV, IDX / IDX.gz, or (for train without --data) the bundled MNIST.</summary>
internal static class DatasetLoader
{
    /// <param name="path">The file; null for the bundled MNIST.</param>
    /// <param name="labelColumn">--label-column.</param>
    /// <param name="features">--features.</param>
    /// <param name="maxRows">At most this many IDX rows.</param>
    /// <param name="trainingColumns">The CSV columns the model was trained on (<see cref="Dataset.Describe"/>), matched by name in a CSV file; null matches by position.</param>
    public static Dataset Load(string? path, string? labelColumn, IReadOnlyList<string>? features, int? maxRows = null, IReadOnlyList<string>? trainingColumns = null)
    {
        if (path == null)
        {
            return BundledMnist(maxRows);
        }

        string lower = path.ToLowerInvariant();
        if (lower.EndsWith(".csv", StringComparison.Ordinal) || lower.EndsWith(".tsv", StringComparison.Ordinal) || lower.EndsWith(".txt", StringComparison.Ordinal))
        {
            return CsvDataset.Read(path, labelColumn, features, trainingColumns);
        }

        if (lower.Contains("idx", StringComparison.Ordinal))
        {
            return Idx(path, LabelsBeside(path), 255f, maxRows);
        }

        throw new InputException($"{path}: unknown data format; use a .csv file with a header, or an IDX file (name containing 'idx', optionally .gz).");
    }

    /// <summary>The MNIST training images bundled in the repository's data/mnist, pixels /255.</summary>
    public static Dataset BundledMnist(int? maxRows, bool test = false)
    {
        string folder = FindBundledMnist();
        string prefix = test ? "t10k" : "train";
        var set = Idx(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), 255f, maxRows);
        return new Dataset($"bundled MNIST ({prefix})", set.FeatureNames, set.Rows, set.Labels, set.ImageShape);
    }

    private static Dataset Idx(string path, string? labelsPath, float divisor, int? maxRows)
    {
        try
        {
            var items = IdxFile.Read(path, maxRows);
            if (items.Dimensions.Length < 2)
            {
                throw new InputException($"{path}: holds a rank-1 array (labels?); give the items file.");
            }

            int size = items.ItemSize;
            var rows = new float[items.Count][];
            for (int i = 0; i < items.Count; i++)
            {
                rows[i] = new float[size];
                for (int j = 0; j < size; j++)
                {
                    rows[i][j] = items.Values[((long)i * size) + j] / divisor;
                }
            }

            string[]? labels = null;
            if (labelsPath != null && File.Exists(labelsPath))
            {
                var labelFile = IdxFile.Read(labelsPath, maxRows);
                labels = labelFile.Values.Take(items.Count).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
            }

            (int, int, int)? shape = items.Dimensions.Length switch
            {
                3 => (1, items.Dimensions[1], items.Dimensions[2]),
                4 => (items.Dimensions[3], items.Dimensions[1], items.Dimensions[2]),
                _ => null,
            };
            var names = Enumerable.Range(0, size).Select(i => $"v{i}").ToArray();
            return new Dataset(path, names, rows, labels, shape);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            throw new InputException(e.Message, e);
        }
    }

    // MNIST naming: train-images-idx3-ubyte.gz ↔ train-labels-idx1-ubyte.gz.
    private static string? LabelsBeside(string path)
    {
        string name = Path.GetFileName(path);
        if (!name.Contains("images-idx3", StringComparison.Ordinal))
        {
            return null;
        }

        return Path.Combine(Path.GetDirectoryName(path) ?? ".", name.Replace("images-idx3", "labels-idx1", StringComparison.Ordinal));
    }

    private static string FindBundledMnist()
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

        throw new InputException("no --data given and the bundled MNIST (data/mnist) was not found; run inside the repository or pass --data FILE.");
    }
}

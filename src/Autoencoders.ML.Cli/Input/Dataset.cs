using Autoencoders.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Cli.Input;

/// <summary>Rows of numeric features read from a file, with optional labels (kept for plots and reports).</summary>
internal sealed class Dataset
{
    public Dataset(string source, IReadOnlyList<string> featureNames, float[][] rows, string[]? labels, (int C, int H, int W)? imageShape)
    {
        Source = source;
        FeatureNames = featureNames;
        Rows = rows;
        Labels = labels;
        ImageShape = imageShape;
    }

    /// <summary>Where the rows came from (a path, or "bundled MNIST").</summary>
    public string Source { get; }

    public IReadOnlyList<string> FeatureNames { get; }

    public float[][] Rows { get; }

    public string[]? Labels { get; }

    /// <summary>Known for IDX images (1×H×W); null for CSV unless given with --image-shape.</summary>
    public (int C, int H, int W)? ImageShape { get; set; }

    public int Width => FeatureNames.Count;

    /// <summary>The 1-based line of each row in a CSV file (the header is line 1); null for IDX data.</summary>
    public int[]? Lines { get; init; }

    /// <summary>A value in the user's terms: CSV row (line) and column, or IDX item (1-based) and value.</summary>
    public string Locate(int row, int feature) => Lines != null
        ? $"{Source}: row {Lines[row]}, column '{FeatureNames[feature]}'"
        : $"{Source}: item {row + 1}, value {feature} ('{FeatureNames[feature]}')";

    /// <summary>Throws <see cref="InputException"/> naming the first value outside [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    /// <param name="why">The flag that requires the range and what to do, e.g. "--loss bce; ...".</param>
    public void CheckRange(float min, float max, string why)
    {
        for (int r = 0; r < Rows.Length; r++)
        {
            for (int f = 0; f < Rows[r].Length; f++)
            {
                float v = Rows[r][f];
                if (!(v >= min && v <= max))
                {
                    throw new InputException($"{Locate(r, f)}: value {v.ToString(System.Globalization.CultureInfo.InvariantCulture)} is outside [{min}, {max}] required by {why}");
                }
            }
        }
    }

    public IDataView ToDataView(MLContext ml, string column = "Features") => VectorColumns.Load(ml.Data, Rows, Width, column);

    /// <summary>A description for model.json.</summary>
    public object Describe() => new
    {
        source = Source,
        rows = Rows.Length,
        features = Width,
        feature_names = Width <= 64 ? FeatureNames : FeatureNames.Take(3).Concat(new[] { "..." }).ToArray(),
        labels = Labels != null,
        image_shape = ImageShape is var (c, h, w) ? $"{c}x{h}x{w}" : null,
        columns = Lines != null ? FeatureNames : null, // every CSV column the model reads, in order: scoring matches them by name
        min = Rows.Length == 0 ? 0 : Rows.Min(r => r.Min()),
        max = Rows.Length == 0 ? 0 : Rows.Max(r => r.Max()),
    };
}

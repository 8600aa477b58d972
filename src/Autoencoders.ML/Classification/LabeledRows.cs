using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Classification;

/// <summary>
/// The labeled rows of a fine-tuning run, read and checked once before training: a key-typed label column (as every
/// ML.NET multiclass trainer wants it, made by <c>MapValueToKey</c>) and a known-size feature vector per row.
/// </summary>
internal sealed class LabeledRows
{
    private LabeledRows(float[] features, long[] labels, int width, ClassLabels classes)
    {
        Features = features;
        Labels = labels;
        Width = width;
        Classes = classes;
    }

    /// <summary>Row-major features, <see cref="Count"/> × <see cref="Width"/>.</summary>
    public float[] Features { get; }

    /// <summary>Class index (0-based, the key value minus one) of every row.</summary>
    public long[] Labels { get; }

    /// <summary>Values per row.</summary>
    public int Width { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Labels.Length;

    /// <summary>The classes (the label's key values), in key order.</summary>
    public ClassLabels Classes { get; }

    /// <summary>
    /// Reads every row. Errors name the column and row: a missing column, a label that is not a key, a missing label,
    /// a NaN/∞ feature, no rows, or fewer than two classes present.
    /// </summary>
    public static LabeledRows Read(IDataView data, string labelColumnName, string featureColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var classes = ClassLabels.FromLabelColumn(data.Schema, labelColumnName);
        int width = FeatureColumn.GetVectorSize(data.Schema, featureColumnName, "feature");
        var label = data.Schema[labelColumnName];
        var featureColumn = data.Schema[featureColumnName];
        var features = new List<float>();
        var labels = new List<long>();
        using (var cursor = data.GetRowCursor(new[] { label, featureColumn }))
        {
            var getLabel = cursor.GetGetter<uint>(label);
            var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
            uint key = 0;
            VBuffer<float> row = default;
            long index = 0;
            while (cursor.MoveNext())
            {
                getLabel(ref key);
                if (key == 0 || key > classes.Count)
                {
                    throw new InvalidRowException(
                        $"Label column '{labelColumnName}', row {index}: the label is missing (a value MapValueToKey did not know). Remove the row or give it a label.",
                        labelColumnName, index, null, $"a class among the {classes.Count} keys", "a missing key");
                }

                getFeatures(ref row);
                var dense = row.DenseValues().ToArray();
                for (int j = 0; j < dense.Length; j++)
                {
                    if (!float.IsFinite(dense[j]))
                    {
                        throw new InvalidRowException(
                            $"Feature column '{featureColumnName}', row {index}, value {j} is {dense[j].ToString(CultureInfo.InvariantCulture)}; every value must be finite. Impute missing values first.",
                            featureColumnName, index, j, "a finite value", dense[j].ToString(CultureInfo.InvariantCulture));
                    }
                }

                features.AddRange(dense);
                labels.Add(key - 1);
                index++;
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidRowException($"The labeled data has no rows (column '{featureColumnName}'). Fine-tuning needs labeled rows.");
        }

        int present = labels.Distinct().Count();
        if (present < 2)
        {
            throw new ArgumentException(
                $"Label column '{labelColumnName}' holds one class only ('{classes.Text[(int)labels[0]]}'); a classifier needs labeled rows of at least two classes.",
                nameof(data));
        }

        return new LabeledRows(features.ToArray(), labels.ToArray(), width, classes);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

/// <summary>
/// The labeled rows of the few-label experiments, drawn once: every class's training images in one seeded order (seed
/// 0); a set of n labels is the first n/10 of each class, so smaller sets are inside larger ones (the 100-label set is
/// the first 10 of each class of the 1,000-label set). The unlabeled rows of a set are all the other training images.
/// </summary>
internal sealed class FewLabels
{
    private readonly int[][] perClass;

    /// <summary>Orders each class's rows once.</summary>
    /// <param name="labels">The digit of every training image.</param>
    public FewLabels(float[] labels)
    {
        Labels = labels;
        var random = new Random(0);
        perClass = Enumerable.Range(0, 10)
            .Select(c => Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).OrderBy(_ => random.Next()).ToArray()).ToArray();
    }

    /// <summary>The digit of every training image.</summary>
    public float[] Labels { get; }

    /// <summary>The row numbers of the set of <paramref name="count"/> labels (a multiple of 10), ascending.</summary>
    public int[] Labeled(int count)
    {
        if (count % 10 != 0 || count < 10 || count > 50_000)
        {
            throw new ArgumentException($"A number of labels must be a multiple of 10 between 10 and 50,000; got {count}.");
        }

        return perClass.SelectMany(rows => rows.Take(count / 10)).Order().ToArray();
    }

    /// <summary>The row numbers of every training image outside the set of <paramref name="count"/> labels.</summary>
    public int[] Unlabeled(int count)
    {
        var labeled = Labeled(count).ToHashSet();
        return Enumerable.Range(0, Labels.Length).Where(i => !labeled.Contains(i)).ToArray();
    }

    /// <summary>The rows <paramref name="indices"/> as an IDataView with <c>Features</c> (784) and <c>Label</c> (the digit, Single).</summary>
    public static IDataView Rows(MLContext ml, IEnumerable<int> indices, float[][] images, float[] labels) =>
        View(ml, indices.Select(i => new Row { Features = images[i], Label = labels[i] }).ToList(), "Features", images[0].Length);

    /// <summary>Rows with a vector column named <paramref name="column"/> of <paramref name="size"/> values and <c>Label</c>.</summary>
    public static IDataView View(MLContext ml, List<Row> rows, string column, int size)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        schema[nameof(Row.Features)].ColumnName = column;
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>One image and its digit.</summary>
    public sealed class Row
    {
        /// <summary>The pixels (or a code).</summary>
        public float[] Features { get; set; } = Array.Empty<float>();

        /// <summary>The digit.</summary>
        public float Label { get; set; }
    }
}

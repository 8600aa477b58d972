using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Tests;

/// <summary>Builds IDataViews with a known-size vector column from arrays.</summary>
internal static class Vectors
{
    public sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public static IDataView ToDataView(MLContext ml, IReadOnlyList<float[]> rows, string column = "Features", int? size = null)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size ?? rows[0].Length);
        schema[nameof(Row.Features)].ColumnName = column;
        return ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }).ToList(), schema);
    }

    public static double MeanSquaredError(IReadOnlyList<float[]> a, IReadOnlyList<float[]> b)
    {
        double sum = 0;
        long n = 0;
        for (int i = 0; i < a.Count; i++)
        {
            for (int j = 0; j < a[i].Length; j++)
            {
                double d = a[i][j] - b[i][j];
                sum += d * d;
                n++;
            }
        }

        return sum / n;
    }
}

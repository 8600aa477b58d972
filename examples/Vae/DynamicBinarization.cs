using System;
using System.Collections;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples;

/// <summary>
/// MNIST binarized afresh on every pass: each enumeration (each cursor the trainer opens, once per epoch when it
/// streams) draws every pixel as Bernoulli(intensity) with the next seed. This is the dynamic binarization of the VAE
/// literature, done outside the library: the trainer only sees an IDataView whose rows differ between passes.
/// </summary>
internal sealed class DynamicBinarization : IEnumerable<DynamicBinarization.Row>
{
    private readonly float[][] intensities;
    private readonly int seed;
    private int passes;

    public DynamicBinarization(float[][] intensities, int seed)
    {
        this.intensities = intensities;
        this.seed = seed;
    }

    /// <summary>Passes drawn so far.</summary>
    public int Passes => passes;

    /// <summary>Binarizes <paramref name="rows"/> once with <paramref name="seed"/> (the fixed test set).</summary>
    public static float[][] Once(float[][] rows, int seed)
    {
        var random = new Random(seed);
        var result = new float[rows.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            result[i] = Draw(rows[i], random);
        }

        return result;
    }

    /// <summary>A view of rows with a <c>Features</c> column of <paramref name="width"/> values.</summary>
    public static IDataView View(MLContext ml, IEnumerable<Row> rows, int width)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    public IEnumerator<Row> GetEnumerator()
    {
        var random = new Random(unchecked(seed + (passes++ * 7919)));
        foreach (float[] row in intensities)
        {
            yield return new Row { Features = Draw(row, random) };
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static float[] Draw(float[] intensity, Random random)
    {
        var binary = new float[intensity.Length];
        for (int j = 0; j < intensity.Length; j++)
        {
            binary[j] = random.NextSingle() < intensity[j] ? 1f : 0f;
        }

        return binary;
    }

    public sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}

using System;
using Autoencoders.ML.Data;
using Autoencoders.ML.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.ML.Baselines;

/// <summary>
/// Exact principal component analysis (eigendecomposition of the covariance in float64), the baseline every
/// autoencoder should beat: a linear autoencoder trained with mean squared error reaches the same error.
/// </summary>
public sealed class PrincipalComponents
{
    private readonly double[] mean;
    private readonly double[] components; // (k, D) row-major, orthonormal rows, largest variance first

    private PrincipalComponents(double[] mean, double[] components, double[] variances, int count)
    {
        this.mean = mean;
        this.components = components;
        ExplainedVariances = variances;
        ComponentCount = count;
    }

    /// <summary>Number of components kept.</summary>
    public int ComponentCount { get; }

    /// <summary>Width of a row.</summary>
    public int InputSize => mean.Length;

    /// <summary>Variance along each kept component, largest first.</summary>
    public double[] ExplainedVariances { get; }

    /// <summary>Fits the top <paramref name="componentCount"/> components of a column.</summary>
    /// <param name="data">Rows to fit (all are read into memory).</param>
    /// <param name="componentCount">Components to keep, 1 ≤ k ≤ width.</param>
    /// <param name="columnName">A known-size vector column of floats.</param>
    public static PrincipalComponents Fit(IDataView data, int componentCount, string columnName = IdxDataLoader.DefaultFeatureColumn)
    {
        ArgumentNullException.ThrowIfNull(data);
        int width = FeatureColumn.GetVectorSize(data.Schema, columnName, "input");
        if (componentCount < 1 || componentCount > width)
        {
            throw new ArgumentOutOfRangeException(nameof(componentCount), componentCount, $"componentCount must be in [1, {width}].");
        }

        TorchRuntime.EnsureInitialized();
        var rows = new StreamingRows(data, columnName, width, 8192);
        using var scope = torch.NewDisposeScope();
        var sum = torch.zeros(width, dtype: ScalarType.Float64);
        var gram = torch.zeros(width, width, dtype: ScalarType.Float64);
        long n = 0;
        foreach (var batch in rows.Batches(4096, shuffle: null))
        {
            using var owned = batch;
            var x = batch.to_type(ScalarType.Float64);
            sum.add_(x.sum(0));
            gram.add_(x.T.matmul(x));
            n += x.shape[0];
        }

        if (n < 2)
        {
            throw new InvalidOperationException($"PCA needs at least 2 rows in column '{columnName}'; got {n}.");
        }

        var mu = sum / n;
        var covariance = (gram / n) - mu.outer(mu);
        var (values, vectors) = torch.linalg.eigh(covariance); // ascending
        var top = vectors.narrow(1, width - componentCount, componentCount).flip(1).T.contiguous(); // (k, D), largest first
        var variances = values.narrow(0, width - componentCount, componentCount).flip(0);
        return new PrincipalComponents(
            mu.data<double>().ToArray(), top.data<double>().ToArray(), variances.data<double>().ToArray(), componentCount);
    }

    /// <summary>Projects a row onto the components (the k-dimensional code).</summary>
    public float[] Project(ReadOnlySpan<float> row)
    {
        CheckWidth(row.Length);
        var code = new float[ComponentCount];
        for (int c = 0; c < ComponentCount; c++)
        {
            double dot = 0;
            for (int j = 0; j < mean.Length; j++)
            {
                dot += (row[j] - mean[j]) * components[(c * mean.Length) + j];
            }

            code[c] = (float)dot;
        }

        return code;
    }

    /// <summary>Maps a code back to a row: mean + codeᵀ·components.</summary>
    public float[] Reconstruct(ReadOnlySpan<float> code)
    {
        var row = new float[mean.Length];
        for (int j = 0; j < mean.Length; j++)
        {
            double value = mean[j];
            for (int c = 0; c < ComponentCount; c++)
            {
                value += code[c] * components[(c * mean.Length) + j];
            }

            row[j] = (float)value;
        }

        return row;
    }

    /// <summary>Mean squared reconstruction error per value over a column (streamed).</summary>
    public double MeanSquaredError(IDataView data, string columnName = IdxDataLoader.DefaultFeatureColumn)
    {
        int width = FeatureColumn.GetVectorSize(data.Schema, columnName, "input");
        CheckWidth(width);
        double total = 0;
        long n = 0;
        foreach (var row in data.GetColumn<float[]>(columnName))
        {
            var reconstruction = Reconstruct(Project(row));
            for (int j = 0; j < width; j++)
            {
                double d = reconstruction[j] - row[j];
                total += d * d;
            }

            n++;
        }

        return total / n / width;
    }

    private void CheckWidth(int width)
    {
        if (width != mean.Length)
        {
            throw new ArgumentException($"Rows have {width} values; the PCA was fitted on {mean.Length}.");
        }
    }
}

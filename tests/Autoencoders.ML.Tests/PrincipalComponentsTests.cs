using System;
using System.Linq;
using Autoencoders.ML.Baselines;
using Microsoft.ML;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>
/// The PCA yardstick against computations that share none of its code: a float64 cyclic Jacobi eigendecomposition
/// written here, two-pass centring, and the identity "PCA's mean squared error on its own training rows = the sum of
/// the discarded eigenvalues".
/// </summary>
public sealed class PrincipalComponentsTests
{
    private const int Pooled = 49; // MNIST pooled 4×4 → 7×7
    private readonly ITestOutputHelper output;

    public PrincipalComponentsTests(ITestOutputHelper output) => this.output = output;

    [Theory]
    [InlineData(0f, 5)]
    [InlineData(1000f, 5)] // a large common offset: centring must stay exact in float64
    [InlineData(0f, 12)]
    public void MatchesAnIndependentJacobiEigendecomposition(float offset, int k)
    {
        var ml = new MLContext(seed: 0);
        float[][] train = Mnist.Train(6000).Select(r => Pool(r, offset)).ToArray();
        float[][] test = Mnist.Test(500).Select(r => Pool(r, offset)).ToArray();

        var pca = PrincipalComponents.Fit(Vectors.ToDataView(ml, train), k);
        double trainMse = pca.MeanSquaredError(Vectors.ToDataView(ml, train));
        double testMse = pca.MeanSquaredError(Vectors.ToDataView(ml, test));

        // Independent: two-pass mean and covariance in double, Jacobi eigenvalues and vectors.
        double[] mean = new double[Pooled];
        foreach (var row in train)
        {
            for (int j = 0; j < Pooled; j++)
            {
                mean[j] += row[j];
            }
        }

        for (int j = 0; j < Pooled; j++)
        {
            mean[j] /= train.Length;
        }

        var covariance = new double[Pooled, Pooled];
        foreach (var row in train)
        {
            for (int a = 0; a < Pooled; a++)
            {
                double da = row[a] - mean[a];
                for (int b = 0; b < Pooled; b++)
                {
                    covariance[a, b] += da * (row[b] - mean[b]);
                }
            }
        }

        for (int a = 0; a < Pooled; a++)
        {
            for (int b = 0; b < Pooled; b++)
            {
                covariance[a, b] /= train.Length;
            }
        }

        var (values, vectors) = Jacobi(covariance);
        int[] order = Enumerable.Range(0, Pooled).OrderByDescending(i => values[i]).ToArray();
        double discarded = order.Skip(k).Sum(i => values[i]);
        double independentTest = test.Average(row =>
        {
            double[] centred = row.Select((v, j) => v - mean[j]).ToArray();
            double[] residual = (double[])centred.Clone();
            foreach (int c in order.Take(k))
            {
                double dot = Enumerable.Range(0, Pooled).Sum(j => centred[j] * vectors[j, c]);
                for (int j = 0; j < Pooled; j++)
                {
                    residual[j] -= dot * vectors[j, c];
                }
            }

            return residual.Sum(d => d * d);
        }) / Pooled;

        output.WriteLine(
            $"offset {offset}, k {k}: train MSE {trainMse:G10} vs discarded/D {discarded / Pooled:G10}; test MSE {testMse:G10} vs Jacobi {independentTest:G10}");
        Assert.Equal(discarded / Pooled, trainMse, Tolerance(discarded / Pooled));
        Assert.Equal(independentTest, testMse, Tolerance(independentTest));
        for (int c = 0; c < k; c++)
        {
            Assert.Equal(values[order[c]], pca.ExplainedVariances[c], Tolerance(values[order[0]]));
        }
    }

    [Fact]
    public void FullMnistRowsMatchACentredTorchEigendecomposition()
    {
        // The benchmark's case (784 pixels, 30 components) on 3,000 rows, against a centre-first float64 computation.
        const int rows = 3000;
        const int k = 30;
        var ml = new MLContext(seed: 0);
        float[][] train = Mnist.Train(rows);
        float[][] test = Mnist.Test(1000);
        var pca = PrincipalComponents.Fit(Vectors.ToDataView(ml, train), k);
        double testError = pca.MeanSquaredError(Vectors.ToDataView(ml, test)) * 784;

        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(train.SelectMany(r => r).Select(v => (double)v).ToArray(), new long[] { rows, 784 });
        var mean = x.mean(new long[] { 0 }, keepdim: true);
        var centred = x - mean;
        var (_, eigenvectors) = torch.linalg.eigh(centred.T.matmul(centred) / rows);
        var principal = eigenvectors.narrow(1, 784 - k, k);
        var t = torch.tensor(test.SelectMany(r => r).Select(v => (double)v).ToArray(), new long[] { test.Length, 784 }) - mean;
        double independent = (t - t.matmul(principal).matmul(principal.T)).square().sum().ToDouble() / test.Length;
        output.WriteLine($"PCA-30 squared error per test image: {testError:F6}, independent {independent:F6}");
        Assert.Equal(independent, testError, 1e-6 * independent);
    }

    private static double Tolerance(double scale) => 1e-8 * Math.Max(scale, 1e-12);

    private static float[] Pool(float[] image, float offset)
    {
        var pooled = new float[Pooled];
        for (int r = 0; r < 28; r++)
        {
            for (int c = 0; c < 28; c++)
            {
                pooled[((r / 4) * 7) + (c / 4)] += image[(r * 28) + c] / 16f;
            }
        }

        for (int j = 0; j < Pooled; j++)
        {
            pooled[j] += offset;
        }

        return pooled;
    }

    // Cyclic Jacobi rotations on a symmetric matrix: eigenvalues and eigenvectors (columns), double precision.
    private static (double[] Values, double[,] Vectors) Jacobi(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            v[i, i] = 1;
        }

        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    off += a[p, q] * a[p, q];
                }
            }

            if (off < 1e-30)
            {
                break;
            }

            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300)
                    {
                        continue;
                    }

                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    double c = 1 / Math.Sqrt((t * t) + 1);
                    double s = t * c;
                    for (int i = 0; i < n; i++)
                    {
                        double aip = a[i, p];
                        double aiq = a[i, q];
                        a[i, p] = (c * aip) - (s * aiq);
                        a[i, q] = (s * aip) + (c * aiq);
                    }

                    for (int i = 0; i < n; i++)
                    {
                        double api = a[p, i];
                        double aqi = a[q, i];
                        a[p, i] = (c * api) - (s * aqi);
                        a[q, i] = (s * api) + (c * aqi);
                    }

                    for (int i = 0; i < n; i++)
                    {
                        double vip = v[i, p];
                        double viq = v[i, q];
                        v[i, p] = (c * vip) - (s * viq);
                        v[i, q] = (s * vip) + (c * viq);
                    }
                }
            }
        }

        return (Enumerable.Range(0, n).Select(i => a[i, i]).ToArray(), v);
    }
}

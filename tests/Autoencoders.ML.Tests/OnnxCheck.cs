using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>Shared pieces of the ONNX parity tests: run a graph on rows, compare with TorchSharp's values.</summary>
internal static class OnnxCheck
{
    /// <summary>The parity tolerance every model kind must meet.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>Runs <paramref name="session"/> on <paramref name="rows"/> fed to <paramref name="inputName"/>; every output by name.</summary>
    public static Dictionary<string, float[]> Run(InferenceSession session, string inputName, IReadOnlyList<float[]> rows)
    {
        var input = new DenseTensor<float>(rows.SelectMany(r => r).ToArray(), new[] { rows.Count, rows[0].Length });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(inputName, input) });
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    /// <summary>Largest absolute difference between row-major <paramref name="expected"/> and flat <paramref name="actual"/>; NaN counts as infinite.</summary>
    public static double MaxAbsDifference(IReadOnlyList<float[]> expected, float[] actual)
    {
        Assert.Equal(expected.Sum(r => r.Length), actual.Length);
        double worst = 0;
        int k = 0;
        foreach (float[] row in expected)
        {
            foreach (float value in row)
            {
                double difference = Math.Abs((double)value - actual[k++]);
                // NaN must fail, not vanish in Math.Max.
                worst = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(worst, difference);
            }
        }

        return worst;
    }

    /// <summary>
    /// Guards against a vacuous comparison: the values must vary across rows by much more than the tolerance, or a graph
    /// that ignored its input could pass. (Random deep sigmoid stacks saturate, so this is not a given.)
    /// </summary>
    public static void AssertVaries(IReadOnlyList<float[]> values, string what)
    {
        if (values.Count > 1)
        {
            double spread = Enumerable.Range(0, values[0].Length).Max(j => values.Max(r => r[j]) - values.Min(r => r[j]));
            Assert.True(spread > 10 * Tolerance, $"{what} hardly depends on the input (largest spread over rows {spread:E2})");
        }
    }
}

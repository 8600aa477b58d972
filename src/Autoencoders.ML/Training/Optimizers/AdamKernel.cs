using System.Numerics;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace Autoencoders.ML.Training.Optimizers;

/// <summary>
/// Adam's (and AdamW's) update as one pass over the four float32 buffers of a CPU run — parameters, gradients and both
/// moment estimates — where the same step written as torch operations reads and writes the whole buffer seven times.
/// The optimizer step is memory-bound, so one pass is about three times faster (measured in <c>examples/Benchmarks
/// -- --only profile</c>). The arithmetic is torch's, operation for operation in float32, so the results agree with
/// TorchSharp's Adam to rounding (test <c>FusedOptimizerTests</c>).
/// </summary>
internal static class AdamKernel
{
    // Below this many values a second thread costs more than it saves.
    private const int ParallelThreshold = 1 << 16;

    /// <summary>The constants of one step, in float32 as torch casts them for float32 tensors.</summary>
    /// <param name="Keep">AdamW's 1 − lr·decay multiplier of the parameters (1 for Adam).</param>
    /// <param name="Decay">Adam's L2 weight added to the gradient (0 for AdamW).</param>
    /// <param name="Beta1">Decay of the gradient average.</param>
    /// <param name="Weight1">1 − β₁, rounded from double as torch rounds its scalar.</param>
    /// <param name="Beta2">Decay of the squared-gradient average.</param>
    /// <param name="Weight2">1 − β₂, rounded from double.</param>
    /// <param name="Correction">√(1 − β₂ᵗ).</param>
    /// <param name="Epsilon">Added to the denominator.</param>
    /// <param name="StepSize">−lr / (1 − β₁ᵗ).</param>
    internal readonly record struct Constants(float Keep, float Decay, float Beta1, float Weight1, float Beta2, float Weight2, float Correction, float Epsilon, float StepSize);

    /// <summary>True when the kernel can update these buffers: contiguous float32 on the CPU, each of one size.</summary>
    public static bool Applies(Tensor values, Tensor gradients, Tensor average, Tensor squaredAverage) =>
        values.device_type == DeviceType.CPU && values.dtype == ScalarType.Float32 && values.numel() <= int.MaxValue / sizeof(float)
        && values.is_contiguous() && gradients.is_contiguous() && average.is_contiguous() && squaredAverage.is_contiguous()
        && gradients.dtype == ScalarType.Float32 && average.dtype == ScalarType.Float32 && squaredAverage.dtype == ScalarType.Float32;

    /// <summary>Updates <paramref name="values"/>, <paramref name="average"/> and <paramref name="squaredAverage"/> in place.</summary>
    /// <param name="values">Parameters (written).</param>
    /// <param name="gradients">Gradients (read).</param>
    /// <param name="average">First moment (written).</param>
    /// <param name="squaredAverage">Second moment (written).</param>
    /// <param name="constants">This step's constants.</param>
    /// <param name="threads">Threads to split the buffers over.</param>
    public static void Step(Tensor values, Tensor gradients, Tensor average, Tensor squaredAverage, Constants constants, int threads)
    {
        int count = checked((int)values.numel());
        int parts = count < ParallelThreshold ? 1 : Math.Max(1, threads);
        if (parts == 1)
        {
            Run(values, gradients, average, squaredAverage, constants, 0, count);
            return;
        }

        // Chunks of whole vectors, so only the last one has a scalar tail.
        int chunk = ((count / parts) + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;
        Parallel.For(0, parts, part =>
        {
            int start = part * chunk;
            int length = Math.Min(chunk, count - start);
            if (length > 0)
            {
                Run(values, gradients, average, squaredAverage, constants, start, length);
            }
        });
    }

    private static void Run(Tensor values, Tensor gradients, Tensor average, Tensor squaredAverage, Constants c, int start, int length)
    {
        // Tensor.bytes is a span over the CPU tensor's own memory, not a copy.
        var p = MemoryMarshal.Cast<byte, float>(values.bytes).Slice(start, length);
        var g = MemoryMarshal.Cast<byte, float>(gradients.bytes).Slice(start, length);
        var m = MemoryMarshal.Cast<byte, float>(average.bytes).Slice(start, length);
        var v = MemoryMarshal.Cast<byte, float>(squaredAverage.bytes).Slice(start, length);
        var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
        var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
        var keep = new Vector<float>(c.Keep);
        var decay = new Vector<float>(c.Decay);
        var beta1 = new Vector<float>(c.Beta1);
        var weight1 = new Vector<float>(c.Weight1);
        var beta2 = new Vector<float>(c.Beta2);
        var weight2 = new Vector<float>(c.Weight2);
        var correction = new Vector<float>(c.Correction);
        var epsilon = new Vector<float>(c.Epsilon);
        var stepSize = new Vector<float>(c.StepSize);
        for (int i = 0; i < pv.Length; i++)
        {
            // The same operations, in the same order, as FusedAdam's torch path.
            var parameter = pv[i] * keep;
            var gradient = gv[i] + (parameter * decay);
            var first = (mv[i] * beta1) + (gradient * weight1);
            var second = (vv[i] * beta2) + (weight2 * gradient * gradient);
            mv[i] = first;
            vv[i] = second;
            pv[i] = parameter + (stepSize * (first / ((Vector.SquareRoot(second) / correction) + epsilon)));
        }

        for (int i = pv.Length * Vector<float>.Count; i < p.Length; i++)
        {
            float parameter = p[i] * c.Keep;
            float gradient = g[i] + (parameter * c.Decay);
            float first = (m[i] * c.Beta1) + (gradient * c.Weight1);
            float second = (v[i] * c.Beta2) + (c.Weight2 * gradient * gradient);
            m[i] = first;
            v[i] = second;
            p[i] = parameter + (c.StepSize * (first / ((MathF.Sqrt(second) / c.Correction) + c.Epsilon)));
        }
    }
}

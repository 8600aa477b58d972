using System.Numerics;
using System.Runtime.InteropServices;

namespace Autoencoders.ML.Layers;

/// <summary>
/// The element-wise parts of a dense training step without autograd as single passes over contiguous float32 CPU
/// tensors, where the same work written as torch operations costs two or three passes and as many native calls (each
/// a parallel region on torch's threads). Single-threaded: a step's element-wise tensors hold 10⁵ values or so, a
/// few microseconds of work. Every caller keeps the torch form for other tensors (<see cref="Applies"/>).
/// </summary>
internal static class CpuKernels
{
    /// <summary>True when every tensor is contiguous float32 on the CPU, of one size that fits a span.</summary>
    public static bool Applies(params Tensor[] tensors)
    {
        long count = tensors[0].numel();
        foreach (var tensor in tensors)
        {
            if (tensor.device_type != DeviceType.CPU || tensor.dtype != ScalarType.Float32 || !tensor.is_contiguous() || tensor.numel() != count)
            {
                return false;
            }
        }

        return count <= int.MaxValue / sizeof(float);
    }

    /// <summary>grad ← grad where output &gt; 0, else 0: ReLU's backward from its output, in place.</summary>
    public static void ReluBackward(Tensor output, Tensor grad)
    {
        var y = Floats(output);
        var g = Floats(grad);
        var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        for (int i = 0; i < yv.Length; i++)
        {
            gv[i] = Vector.ConditionalSelect(Vector.GreaterThan(yv[i], Vector<float>.Zero), gv[i], Vector<float>.Zero);
        }

        for (int i = yv.Length * Vector<float>.Count; i < y.Length; i++)
        {
            g[i] = y[i] > 0f ? g[i] : 0f;
        }
    }

    /// <summary>
    /// Mean squared error's closed-form gradient in one pass: d = output − target, returns Σd² (in double) and writes
    /// <paramref name="scale"/>·d into <paramref name="gradient"/> (which may be <paramref name="output"/> itself).
    /// </summary>
    public static double SquaredError(Tensor output, Tensor target, Tensor gradient, float scale)
    {
        var y = Floats(output);
        var t = Floats(target);
        var g = Floats(gradient);
        var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
        var tv = MemoryMarshal.Cast<float, Vector<float>>(t);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var factor = new Vector<float>(scale);
        // Float partial sums per lane over at most 2¹⁰ vectors each, added up in double: exact enough for a reported loss.
        double sum = 0;
        for (int start = 0; start < yv.Length; start += 1 << 10)
        {
            var lanes = Vector<float>.Zero;
            int end = Math.Min(yv.Length, start + (1 << 10));
            for (int i = start; i < end; i++)
            {
                var d = yv[i] - tv[i];
                lanes += d * d;
                gv[i] = d * factor;
            }

            sum += Vector.Sum(lanes);
        }

        for (int i = yv.Length * Vector<float>.Count; i < y.Length; i++)
        {
            float d = y[i] - t[i];
            sum += d * d;
            g[i] = d * scale;
        }

        return sum;
    }

    // Tensor.bytes is a span over the CPU tensor's own memory, not a copy.
    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
}

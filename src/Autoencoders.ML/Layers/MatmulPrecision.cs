using System.Threading;
using Autoencoders.ML.Training;
using TorchSharp.Modules;

namespace Autoencoders.ML.Layers;

/// <summary>
/// The number type a dense layer multiplies in on the current thread — TorchSharp's stand-in for PyTorch's autocast.
/// Float32 unless the trainer runs a step's forward pass inside <see cref="Use"/> with
/// <see cref="TrainingPrecision.BFloat16"/>; autograd then runs the backward multiplies in bfloat16 too and casts the
/// weight gradients back to float32, so the master weights and the optimizer never leave float32.
/// </summary>
internal static class MatmulPrecision
{
    [ThreadStatic]
    private static bool bfloat16;

    /// <summary>Makes the dense layers on this thread multiply in <paramref name="precision"/> until the result is disposed.</summary>
    public static IDisposable Use(TrainingPrecision precision)
    {
        bool before = bfloat16;
        bfloat16 = precision == TrainingPrecision.BFloat16;
        return new Restore(before);
    }

    /// <summary>True inside a bfloat16 <see cref="Use"/> on this thread.</summary>
    public static bool BFloat16 => bfloat16;

    /// <summary>
    /// x·Wᵀ + b for <paramref name="linear"/>. In float32 outside a bfloat16 <see cref="Use"/>. Inside one, a bfloat16
    /// <paramref name="x"/> (a <see cref="LayerStack"/> between its first and last dense layer) gives a bfloat16 result with
    /// the bias added in bfloat16, as PyTorch's autocast does; a float32 <paramref name="x"/> (a head called on its own)
    /// gives a float32 result with the product in bfloat16 and the bias added in float32.
    /// </summary>
    public static Tensor Linear(Linear linear, Tensor x)
    {
        if (!bfloat16 || (x.dtype != ScalarType.Float32 && x.dtype != ScalarType.BFloat16))
        {
            return linear.forward(x);
        }

        var weight = linear.weight!.to(ScalarType.BFloat16);
        if (x.dtype == ScalarType.BFloat16)
        {
            return nn.functional.linear(x, weight, linear.bias?.to(ScalarType.BFloat16));
        }

        var product = nn.functional.linear(x.to(ScalarType.BFloat16), weight).to(ScalarType.Float32);
        return linear.bias is null ? product : product.PlusInPlace(linear.bias);
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> (for <see cref="TrainingOptions.Precision"/>) when <paramref name="device"/> cannot multiply bfloat16 matrices (an
    /// older GPU); checked before training starts.
    /// </summary>
    public static void Check(TrainingPrecision precision, Device device)
    {
        if (precision != TrainingPrecision.BFloat16)
        {
            return;
        }

        try
        {
            using var scope = NewDisposeScope();
            var a = ones(2, 2, ScalarType.BFloat16, device);
            var product = a.matmul(a).to(ScalarType.Float32).cpu();
            if (product[0, 0].ToSingle() != 2f)
            {
                throw new NotSupportedException($"a bfloat16 test product came out as {product[0, 0].ToSingle()} instead of 2");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException(
                $"Precision is BFloat16, but the device {device} cannot multiply bfloat16 matrices ({e.Message}). " +
                "Use Precision = Float32 (--precision fp32), or train on the CPU or a GPU with bfloat16 support.", nameof(TrainingOptions.Precision), e);
        }
    }

    private sealed class Restore(bool before) : IDisposable
    {
        public void Dispose() => bfloat16 = before;
    }
}

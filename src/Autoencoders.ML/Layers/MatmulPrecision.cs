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

    /// <summary>
    /// x·Wᵀ + b for <paramref name="linear"/>: in float32, or with the product in bfloat16 inside a bfloat16
    /// <see cref="Use"/> (the bias is added in float32 to the float32 result).
    /// </summary>
    public static Tensor Linear(Linear linear, Tensor x)
    {
        if (!bfloat16 || x.dtype != ScalarType.Float32)
        {
            return linear.forward(x);
        }

        var product = nn.functional.linear(x.to(ScalarType.BFloat16), linear.weight!.to(ScalarType.BFloat16)).to(ScalarType.Float32);
        return linear.bias is null ? product : product.add_(linear.bias);
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

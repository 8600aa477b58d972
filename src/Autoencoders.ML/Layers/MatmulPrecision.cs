using System.IO;
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
        if (precision == TrainingPrecision.Automatic)
        {
            throw new InvalidOperationException("Precision Automatic must be resolved (Resolve) before a step runs.");
        }

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
    /// The precision a run on <paramref name="device"/> trains in, and why: <paramref name="precision"/> itself, or for
    /// <see cref="TrainingPrecision.Automatic"/> bfloat16 on a CPU that multiplies it natively and float32 elsewhere.
    /// From the CPU's flags alone, so the choice does not depend on load and the same seed gives the same model.
    /// </summary>
    public static (TrainingPrecision Precision, string? Reason) Resolve(TrainingPrecision precision, Device device)
    {
        if (precision != TrainingPrecision.Automatic)
        {
            return (precision, null);
        }

        if (device.type != DeviceType.CPU)
        {
            return (TrainingPrecision.Float32, $"Precision Automatic: Float32, as the run trains on {device}, not the CPU.");
        }

        return NativeBFloat16Flag() is string flag
            ? (TrainingPrecision.BFloat16, $"Precision Automatic: BFloat16, as the CPU multiplies bfloat16 natively ({flag}).")
            : (TrainingPrecision.Float32, "Precision Automatic: Float32, as the CPU reports no avx512_bf16 or amx_bf16 (bfloat16 would be emulated).");
    }

    /// <summary>The CPU flag that says it multiplies bfloat16 natively (<c>amx_bf16</c> or <c>avx512_bf16</c> in Linux's /proc/cpuinfo), or null (none, or not Linux).</summary>
    private static string? NativeBFloat16Flag()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo"))
            {
                return null;
            }

            string flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? string.Empty;
            var present = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new[] { "amx_bf16", "avx512_bf16" }.FirstOrDefault(present.Contains);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
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

using System.IO;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Runtime;

/// <summary>
/// Turns <see cref="TrainingOptions.Device"/> and the ML.NET environment's <c>GpuDeviceId</c> / <c>FallbackToCpu</c>
/// into a torch device, with an error that says what to add or change when CUDA is asked for and cannot be had.
/// </summary>
internal static class DeviceChoice
{
    /// <summary>The device a run with <paramref name="requested"/> trains on.</summary>
    /// <exception cref="InvalidOperationException">CUDA is required and not available, or the GPU number does not exist.</exception>
    public static Device Resolve(TrainingDevice requested, IHostEnvironment environment)
    {
        var (gpu, fallback) = Settings(environment);
        return requested switch
        {
            TrainingDevice.Cpu => torch.CPU,
            TrainingDevice.Cuda => Cuda(gpu ?? 0, "TrainingOptions.Device is Cuda (--device cuda)"),
            _ when gpu is not int id => torch.CPU,
            _ when torch.cuda.is_available() || !fallback => Cuda(gpu.Value, $"MLContext.GpuDeviceId is {gpu} and FallbackToCpu is false"),
            _ => torch.CPU,
        };
    }

    private static Device Cuda(int id, string why)
    {
        TorchRuntime.EnsureInitialized();
        if (!torch.cuda.is_available())
        {
            throw new InvalidOperationException($"Training on CUDA was asked for ({why}), but CUDA is not available: {Missing()} " +
                "Or train on the CPU: TrainingOptions.Device = TrainingDevice.Cpu (--device cpu), or MLContext.FallbackToCpu = true.");
        }

        int count = torch.cuda.device_count();
        return id >= 0 && id < count
            ? torch.device(DeviceType.CUDA, id)
            : throw new InvalidOperationException($"Training on CUDA GPU {id} was asked for ({why}), but there {(count == 1 ? "is 1 GPU" : $"are {count} GPUs")} (0 to {count - 1}). Set MLContext.GpuDeviceId to one of them.");
    }

    // A CPU-only libtorch and a CUDA libtorch without a GPU call for different fixes.
    private static string Missing()
    {
        bool cudaLibtorch = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory }
            .Where(Directory.Exists)
            .Any(d => Directory.EnumerateFiles(d, "*torch_cuda*", SearchOption.AllDirectories).Any());
        return cudaLibtorch
            ? "a CUDA build of libtorch is present but no GPU is visible: check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES."
            : "the application's libtorch backend is CPU-only. Reference 'libtorch-cuda-12.8-linux-x64' (Linux) or 'libtorch-cuda-12.8-win-x64' " +
              "(Windows), version 2.10.0, instead of the libtorch-cpu package, on a machine with an NVIDIA GPU and driver.";
    }

    // MLContext keeps the two settings public; the environment behind mlContext.Transforms keeps them on ML.NET's
    // internal IHostEnvironmentInternal, read here by reflection (absent: the defaults, CPU).
    private static (int? GpuDeviceId, bool FallbackToCpu) Settings(IHostEnvironment environment)
    {
        if (environment is MLContext context)
        {
            return (context.GpuDeviceId, context.FallbackToCpu);
        }

        var contract = environment.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "IHostEnvironmentInternal");
        object? gpu = contract?.GetProperty("GpuDeviceId", BindingFlags.Instance | BindingFlags.Public)?.GetValue(environment);
        object? fallback = contract?.GetProperty("FallbackToCpu", BindingFlags.Instance | BindingFlags.Public)?.GetValue(environment);
        return (gpu as int?, fallback as bool? ?? false);
    }
}

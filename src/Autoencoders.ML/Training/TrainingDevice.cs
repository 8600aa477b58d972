namespace Autoencoders.ML.Training;

/// <summary>Where training runs (<see cref="TrainingOptions.Device"/>). The trained model always comes back on the CPU.</summary>
public enum TrainingDevice
{
    /// <summary>
    /// As ML.NET's own TorchSharp trainers choose: the GPU <c>MLContext.GpuDeviceId</c> when it is set and CUDA is
    /// available; the CPU when it is not set; when it is set and CUDA is not available, the CPU if
    /// <c>MLContext.FallbackToCpu</c> is true, else an error. The default.
    /// </summary>
    Automatic,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>A CUDA GPU: <c>MLContext.GpuDeviceId</c>, or GPU 0 when it is not set. An error when CUDA is not available.</summary>
    Cuda,
}

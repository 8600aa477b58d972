using System.IO;

namespace Autoencoders.ML.Runtime;

/// <summary>Initialises TorchSharp once per process, making its native shim loadable on older Linux systems first.</summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool initialized;

    /// <summary>
    /// Loads libtorch for the CPU. On Linux, first weakens the shim's needless <c>GLIBCXX_3.4.32</c> requirement in the
    /// application's own copies of <c>libLibTorchSharp.so</c> when the system libstdc++ is older (see
    /// <see cref="LibTorchSharpCompatibility"/>); the build step of this package normally did that already. Safe to call
    /// many times and from many threads. Call it before your own first use of <c>torch</c> if that comes before any
    /// call into this library. It also makes torch's idle threads sleep rather than spin unless the environment sets
    /// <c>OMP_WAIT_POLICY</c> (a busy core then slows training in proportion instead of collapsing it; see
    /// <see cref="Training.TrainingOptions.Threads"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">libtorch could not be loaded; the message says what to reference.</exception>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (initialized)
            {
                return;
            }

            if (OperatingSystem.IsLinux())
            {
                PatchApplicationCopies();
            }

            // Before libtorch (and its OpenMP) loads: idle torch threads sleep rather than spin (see ThreadWaitPolicy).
            ThreadWaitPolicy.Apply();

            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
            {
                throw new InvalidOperationException(
                    "TorchSharp's native libraries could not be loaded. The application must reference a libtorch backend " +
                    "package, for example 'libtorch-cpu-linux-x64' 2.10.0 (or TorchSharp-cpu / TorchSharp-cuda-linux). " +
                    $"If one is referenced, the inner exception has TorchSharp's own trace. ({e.GetBaseException().Message.Split('\n')[0]})",
                    e);
            }

            initialized = true;
        }
    }

    private static void PatchApplicationCopies()
    {
        string? torchDirectory = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        foreach (string directory in new[] { AppContext.BaseDirectory, torchDirectory ?? AppContext.BaseDirectory })
        {
            foreach (string relative in new[] { ".", "runtimes/linux-x64/native", "runtimes/linux-arm64/native", "cpu", "cuda" })
            {
                string candidate = Path.Combine(directory, relative, "libLibTorchSharp.so");
                try
                {
                    if (File.Exists(candidate))
                    {
                        LibTorchSharpCompatibility.Apply(candidate);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Read-only deployment: the load below reports the real problem if this copy is the one used.
                }
            }
        }
    }
}

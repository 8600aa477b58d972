using System.IO;

namespace Autoencoders.ML.Runtime;

/// <summary>Initialises TorchSharp once per process, making its native shim loadable on older Linux systems first.</summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool initialized;
    private static MklDispatch mklDispatch;
    private static string mklDispatchDetail = "not initialised yet";

    /// <summary>
    /// What the first <see cref="EnsureInitialized"/> did about the kernels of MKL (libtorch's CPU matrix library): on an
    /// AMD CPU with AVX-512 it makes MKL use its AVX-512 kernels (<see cref="MklDispatch.Avx512Unlocked"/>), which MKL
    /// otherwise keeps for Intel's CPUs; float32 training then runs about 1.5–1.8× faster (docs/benchmarks.md). Set the
    /// environment variable <c>AUTOENCODERS_MKL_AMD=off</c> before the process starts to leave MKL alone.
    /// </summary>
    public static MklDispatch MklDispatch
    {
        get
        {
            lock (Gate)
            {
                return mklDispatch;
            }
        }
    }

    /// <summary>Why <see cref="MklDispatch"/> has its value, in words (the CPU vendor, the setting, or the error).</summary>
    public static string MklDispatchDetail
    {
        get
        {
            lock (Gate)
            {
                return mklDispatchDetail;
            }
        }
    }

    /// <summary>
    /// MKL's version (<c>MKL_Get_Version_String</c>), for logs and benchmark reports; null when libtorch was built
    /// without MKL. Initialises TorchSharp if needed. (Which kernels MKL runs shows with <c>MKL_VERBOSE=1</c> in the
    /// environment: its first line names the instruction set.)
    /// </summary>
    public static string? MklVersion
    {
        get
        {
            EnsureInitialized();
            return MklOnAmd.Version();
        }
    }

    /// <summary>
    /// Loads libtorch for the CPU. On Linux, first weakens the shim's needless <c>GLIBCXX_3.4.32</c> requirement in the
    /// application's own copies of <c>libLibTorchSharp.so</c> when the system libstdc++ is older (see
    /// <see cref="LibTorchSharpCompatibility"/>); the build step of this package normally did that already. Safe to call
    /// many times and from many threads. Call it before your own first use of <c>torch</c> if that comes before any
    /// call into this library. It also makes torch's idle threads sleep rather than spin unless the environment sets
    /// <c>OMP_WAIT_POLICY</c> (a busy core then slows training in proportion instead of collapsing it; see
    /// <see cref="Training.TrainingOptions.Threads"/>), and on an AMD CPU with AVX-512 lets MKL use its AVX-512 kernels
    /// (<see cref="MklDispatch"/>).
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

            // Before libtorch (and its OpenMP) loads: idle torch threads sleep after a short spin (see ThreadWaitPolicy).
            ThreadWaitPolicy.Apply();

            // Before libtorch (and the MKL inside it) loads: MKL's AVX-512 kernels on AMD CPUs that have AVX-512 (see MklOnAmd).
            (mklDispatch, mklDispatchDetail) = MklOnAmd.Apply();

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

namespace Autoencoders.ML.Runtime;

/// <summary>
/// The process-wide changes an application may ask <see cref="TorchRuntime.Configure"/> for, before torch loads. The
/// library makes none of them unless asked; docs/runtime.md says what each does and what it was measured to gain.
/// </summary>
[Flags]
public enum TorchRuntimeSettings
{
    /// <summary>No process-wide change: torch loads as it would without this library.</summary>
    None = 0,

    /// <summary>
    /// Idle torch threads sleep after a short spin: sets <c>OMP_WAIT_POLICY=PASSIVE</c> and <c>GOMP_SPINCOUNT=10000</c>
    /// in the native environment unless it sets them already (training stays fast when another process takes a core).
    /// </summary>
    SleepingIdleThreads = 1,

    /// <summary>
    /// On an AMD CPU (vendor <c>AuthenticAMD</c>) with AVX-512 F/CD/BW/DQ/VL, loads a tiny in-memory library into the
    /// process's global symbol scope so that MKL runs its AVX-512 kernels (float32 training about 1.65× faster on
    /// AMD Zen 5). Reaches every MKL user in the process; the environment variable <c>AUTOENCODERS_MKL_AMD=off</c>
    /// still turns it off. See <see cref="TorchRuntime.MklDispatch"/>.
    /// </summary>
    MklAvx512OnAmd = 2,

    /// <summary>
    /// Where the system libstdc++ lacks <c>GLIBCXX_3.4.32</c>, marks that needless requirement weak in the application's
    /// own copies of <c>libLibTorchSharp.so</c> (rewrites two bytes of each file). The package's build step normally did
    /// this already; ask for it only when the application's files are deployed without that step.
    /// </summary>
    PatchShimCopies = 4,
}

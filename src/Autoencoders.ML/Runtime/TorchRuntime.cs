using System.IO;

namespace Autoencoders.ML.Runtime;

/// <summary>
/// Loads TorchSharp once per process. By default that is all it does: no environment variable, native library or file
/// of the process changes. An application that wants the process-wide settings measured to help training
/// (<see cref="TorchRuntimeSettings"/>) asks for them with <see cref="Configure"/> before its first use of torch.
/// </summary>
public static class TorchRuntime
{
    private const string NotInitialised = "not initialised yet";

    private static readonly object Gate = new();
    private static bool initialized;
    private static bool configured;
    private static string configuration = NotInitialised;
    private static MklDispatch mklDispatch = MklDispatch.NotRequested;
    private static string mklDispatchDetail = NotInitialised;

    /// <summary>
    /// What <see cref="Configure"/> did about the kernels of MKL (libtorch's CPU matrix library):
    /// <see cref="MklDispatch.Avx512Unlocked"/> when it made MKL use its AVX-512 kernels on an AMD CPU,
    /// <see cref="MklDispatch.NotRequested"/> when the application did not ask (the default).
    /// </summary>
    internal static MklDispatch MklDispatch
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
    /// What the library did to the process, in one line for logs: the idle-thread wait policy, the MKL decision and the
    /// <c>libLibTorchSharp.so</c> copies, each "not changed" unless <see cref="Configure"/> asked for it. Trainers write
    /// it to the <c>MLContext</c> log.
    /// </summary>
    public static string Configuration
    {
        get
        {
            lock (Gate)
            {
                return configuration;
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
    /// Makes the process-wide changes in <paramref name="settings"/> and records them in <see cref="Configuration"/>;
    /// torch itself loads later, at the first <see cref="EnsureInitialized"/>. Call it once, first thing in the
    /// application (these settings take effect only when libtorch loads). The command-line tool and the examples call
    /// it with <see cref="TorchRuntimeSettings.SleepingIdleThreads"/> and <see cref="TorchRuntimeSettings.MklAvx512OnAmd"/>.
    /// </summary>
    /// <returns>What was done, as <see cref="Configuration"/> reports it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="settings"/> has a bit that names no setting.</exception>
    /// <exception cref="InvalidOperationException">
    /// Configure was already called, or libtorch is already loaded (by this library or a direct use of torch), so the
    /// settings could no longer take effect.
    /// </exception>
    public static string Configure(TorchRuntimeSettings settings)
    {
        const TorchRuntimeSettings all = TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd | TorchRuntimeSettings.PatchShimCopies;
        if ((settings & ~all) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings, $"TorchRuntime.Configure: {(int)settings} names no combination of TorchRuntimeSettings ({all}).");
        }

        lock (Gate)
        {
            if (configured)
            {
                throw new InvalidOperationException($"TorchRuntime.Configure was already called ({configuration}); call it once, at the start of the application.");
            }

            if (initialized || LibTorchLoaded())
            {
                throw new InvalidOperationException(
                    $"TorchRuntime.Configure({settings}) came after libtorch was loaded, too late for its settings to take effect. Call it at the start " +
                    "of the application, before any training, model loading or use of torch.");
            }

            string threads = settings.HasFlag(TorchRuntimeSettings.SleepingIdleThreads) ? ThreadWaitPolicy.Apply() : ThreadWaitPolicy.NotChanged();
            (mklDispatch, mklDispatchDetail) = settings.HasFlag(TorchRuntimeSettings.MklAvx512OnAmd) ? MklOnAmd.Apply() : MklOnAmd.NotRequested;
            string shims = settings.HasFlag(TorchRuntimeSettings.PatchShimCopies) ? PatchApplicationCopies() : "not changed";
            configuration = Describe(threads, shims);
            configured = true;
            return configuration;
        }
    }

    /// <summary>
    /// Loads libtorch for the CPU, once; safe to call many times and from many threads. Changes nothing else in the
    /// process (see <see cref="Configure"/> for what an application may ask for). Call it before your own first use of
    /// <c>torch</c> if that comes before any call into this library.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// libtorch could not be loaded; the message says what to reference, or, on a Linux whose libstdc++ is older than
    /// GCC 13's, how to make TorchSharp's shim loadable.
    /// </exception>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (initialized)
            {
                return;
            }

            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
            {
                string reason = e.GetBaseException().Message.Split('\n')[0];
                if (OperatingSystem.IsLinux() && ShimProblem(ApplicationShimCopies()) is { } shim)
                {
                    throw new InvalidOperationException($"{shim} ({reason})", e);
                }

                throw new InvalidOperationException(
                    "TorchSharp's native libraries could not be loaded. The application must reference a libtorch backend " +
                    "package, for example 'libtorch-cpu-linux-x64' 2.10.0 (or TorchSharp-cpu / TorchSharp-cuda-linux). " +
                    $"If one is referenced, the inner exception has TorchSharp's own trace. ({reason})",
                    e);
            }

            if (!configured)
            {
                mklDispatchDetail = MklOnAmd.NotRequested.Detail;
                configuration = Describe(ThreadWaitPolicy.NotChanged(), "not changed");
            }

            initialized = true;
        }
    }

    /// <summary>
    /// The error to give when <c>libLibTorchSharp.so</c> did not load because one of <paramref name="copies"/> still
    /// requires <c>GLIBCXX_3.4.32</c> and the system libstdc++ lacks it; null when that is not the problem.
    /// </summary>
    internal static string? ShimProblem(IEnumerable<string> copies)
    {
        foreach (string copy in copies)
        {
            try
            {
                if (File.Exists(copy)
                    && LibTorchSharpCompatibility.FindRequirementFlagsOffset(copy, LibTorchSharpCompatibility.RequiredVersion, out ushort flags) != null
                    && (flags & 2) == 0
                    && !LibTorchSharpCompatibility.SystemProvidesRequiredVersion())
                {
                    return $"TorchSharp's native shim {copy} requires {LibTorchSharpCompatibility.RequiredVersion} (the libstdc++ of GCC 13) " +
                        "and this system's libstdc++ is older. The Autoencoders.ML package's build step (build/Autoencoders.ML.targets) marks that " +
                        "unused requirement weak in the build and publish output, and it did not run for this file: it is skipped with " +
                        "AutoencodersMLPatchLibTorchSharp=false or when the files are copied another way. Build or publish the application with the " +
                        "package referenced, or call TorchRuntime.Configure(TorchRuntimeSettings.PatchShimCopies) at its start to let the library " +
                        "patch the application's own copies.";
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // An unreadable copy: the generic message below still applies.
            }
        }

        return null;
    }

    /// <summary>True when libtorch is mapped into the process (loaded by this library or by a direct use of torch).</summary>
    internal static bool LibTorchLoaded()
    {
        try
        {
            return File.Exists("/proc/self/maps") && File.ReadLines("/proc/self/maps").Any(line => line.Contains("libtorch_cpu", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Describe(string threads, string shims) =>
        $"idle threads: {threads}; MKL: {mklDispatch} ({mklDispatchDetail}); libLibTorchSharp.so copies: {shims}";

    // The copies TorchSharp may load: next to the application, or next to TorchSharp.dll, in the layouts NuGet uses.
    private static IEnumerable<string> ApplicationShimCopies()
    {
        string? torchDirectory = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        return new[] { AppContext.BaseDirectory, torchDirectory ?? AppContext.BaseDirectory }
            .Distinct(StringComparer.Ordinal)
            .SelectMany(directory => new[] { ".", "runtimes/linux-x64/native", "runtimes/linux-arm64/native", "cpu", "cuda" }
                .Select(relative => Path.GetFullPath(Path.Combine(directory, relative, "libLibTorchSharp.so"))))
            .Distinct(StringComparer.Ordinal);
    }

    private static string PatchApplicationCopies()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux, nothing to do";
        }

        var outcomes = new List<string>();
        foreach (string candidate in ApplicationShimCopies())
        {
            try
            {
                if (File.Exists(candidate))
                {
                    outcomes.Add(LibTorchSharpCompatibility.Apply(candidate).ToString());
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Read-only deployment: the load reports the real problem if this copy is the one used.
                outcomes.Add("ReadOnly");
            }
        }

        return outcomes.Count == 0
            ? "none found"
            : string.Join(", ", outcomes.GroupBy(outcome => outcome).Select(group => $"{group.Key} {group.Count()}"));
    }
}

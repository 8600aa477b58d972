using System.Runtime.InteropServices;

namespace Autoencoders.ML.Runtime;

/// <summary>
/// How torch's idle worker threads wait. libtorch's CPU kernels run on OpenMP (GNU libgomp on Linux), whose default is
/// to spin for a while at the end of every parallel region. When another process holds one of the cores, the spinning
/// thread and the one that still has work share it, and each of the hundreds of parallel regions of a training step
/// waits a time slice: on 2 cores with one busy, training ran 2–3.5× slower with spinning than with sleeping waits
/// (docs/benchmarks.md). So, unless the environment already sets <c>OMP_WAIT_POLICY</c>, it is set to <c>PASSIVE</c>
/// in the process before libtorch is loaded. Set <c>OMP_WAIT_POLICY=ACTIVE</c> before starting the application to keep
/// spinning (a machine whose cores are all yours).
/// </summary>
internal static class ThreadWaitPolicy
{
    /// <summary>The environment variable OpenMP reads once, when it is loaded.</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    private delegate int SetEnv(string name, string value, int overwrite);

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> in the native environment unless it is set; must run before libtorch loads
    /// (OpenMP reads it then). Returns the policy in force. Linux and macOS; elsewhere it leaves the environment alone.
    /// </summary>
    public static string Apply()
    {
        string? given = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(given))
        {
            return given;
        }

        // .NET keeps its own copy of the environment on Unix: the native one, which OpenMP reads, needs libc's setenv.
        string? libc = OperatingSystem.IsLinux() ? "libc.so.6" : OperatingSystem.IsMacOS() ? "libc.dylib" : null;
        if (libc != null && NativeLibrary.TryLoad(libc, out var handle) && NativeLibrary.TryGetExport(handle, "setenv", out var setenv))
        {
            Marshal.GetDelegateForFunctionPointer<SetEnv>(setenv)(Variable, "PASSIVE", 0);
            Environment.SetEnvironmentVariable(Variable, "PASSIVE");
            return "PASSIVE";
        }

        return "default";
    }
}

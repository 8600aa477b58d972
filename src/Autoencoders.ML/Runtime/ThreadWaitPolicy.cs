namespace Autoencoders.ML.Runtime;

/// <summary>
/// How torch's idle worker threads wait. libtorch's CPU kernels run on OpenMP (GNU libgomp on Linux), whose default is
/// to spin for a while (about 3 ms) at the end of every parallel region. When another process holds one of the cores,
/// the spinning thread and the one that still has work share it, and each of the hundreds of parallel regions of a
/// training step waits a time slice: on 2 cores with one busy, training ran 2–3.5× slower with spinning than with
/// sleeping waits (docs/benchmarks.md). Sleeping at once costs a wake-up per region instead, about 10% of a float32
/// step on a quiet machine once MKL's fast kernels made the regions short. So, when the application asks
/// (<see cref="TorchRuntimeSettings.SleepingIdleThreads"/>) and the environment does not already set
/// <c>OMP_WAIT_POLICY</c>, it is set to <c>PASSIVE</c> and, unless set, <c>GOMP_SPINCOUNT</c> to
/// <see cref="SpinCount"/> (a spin of some microseconds, enough to bridge the gap between two torch operations and short
/// against a time slice) in the process before libtorch is loaded. Set <c>OMP_WAIT_POLICY=ACTIVE</c> before starting the
/// application to keep libgomp's own spinning (a machine whose cores are all yours), or <c>GOMP_SPINCOUNT=0</c> to
/// sleep at once.
/// </summary>
internal static class ThreadWaitPolicy
{
    /// <summary>The environment variable OpenMP reads once, when it is loaded.</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>libgomp's spin count before a waiting thread sleeps (it counts about 100,000 spins a millisecond).</summary>
    public const string SpinVariable = "GOMP_SPINCOUNT";

    /// <summary>The spin count set when the environment sets neither variable: chosen by the measurements in docs/benchmarks.md.</summary>
    public const string SpinCount = "10000";

    private delegate int SetEnv(string name, string value, int overwrite);

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> and <c>GOMP_SPINCOUNT=10000</c> in the native environment where they are not
    /// set; must run before libtorch loads (OpenMP reads them then). Returns the policy in force, e.g.
    /// <c>PASSIVE, GOMP_SPINCOUNT 10000</c>. Linux and macOS; elsewhere it leaves the environment alone.
    /// </summary>
    public static string Apply()
    {
        string? given = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(given))
        {
            return Describe(given);
        }

        // .NET keeps its own copy of the environment on Unix: the native one, which OpenMP reads, needs libc's setenv.
        if (LibC.TryFunction<SetEnv>("setenv") is { } setenv)
        {
            setenv(Variable, "PASSIVE", 0);
            Environment.SetEnvironmentVariable(Variable, "PASSIVE");
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SpinVariable)))
            {
                setenv(SpinVariable, SpinCount, 0);
                Environment.SetEnvironmentVariable(SpinVariable, SpinCount);
            }

            return Describe("PASSIVE");
        }

        return "default";
    }

    /// <summary>The policy in force when the application did not ask for a change, e.g. <c>not changed (OpenMP's default)</c>.</summary>
    public static string NotChanged() =>
        $"not changed ({(Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given ? Describe(given) : "OpenMP's default")})";

    private static string Describe(string policy) =>
        Environment.GetEnvironmentVariable(SpinVariable) is { Length: > 0 } spin ? $"{policy}, {SpinVariable} {spin}" : policy;
}

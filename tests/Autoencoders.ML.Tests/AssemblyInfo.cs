using System.Runtime.CompilerServices;
using Autoencoders.ML.Runtime;
using Xunit;

// Torch has process-wide state (seed, thread count) and uses both cores: tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Autoencoders.ML.Tests;

/// <summary>Runs before any test touches torch, whatever order xunit picks.</summary>
internal static class TestAssemblyStart
{
    /// <summary>
    /// Opts in to the process-wide settings the command-line tool uses (so that the tests run the path users of the tool
    /// get, and MklOnAmdTests and TorchRuntimeTests test it) and loads libtorch, before any test: some tests build
    /// tensors directly, and the first one to run would otherwise load libtorch first, leaving MKL's choice of kernels
    /// and so every trained model's last bits to depend on the test order. TorchRuntimeTests shows, in a fresh
    /// process, that nothing of this happens without the opt-in.
    /// </summary>
    [ModuleInitializer]
    internal static void InitialiseTorchRuntime()
    {
        TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);
        TorchRuntime.EnsureInitialized();
    }
}

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
    /// Initialises the library's runtime before libtorch loads: some tests build tensors directly, and the first one to
    /// run would otherwise load libtorch first, leaving MKL's choice of kernels (<see cref="TorchRuntime.MklDispatch"/>
    /// <c>TooLate</c>) and so every trained model's last bits to depend on the test order.
    /// </summary>
    [ModuleInitializer]
    internal static void InitialiseTorchRuntime() => TorchRuntime.EnsureInitialized();
}

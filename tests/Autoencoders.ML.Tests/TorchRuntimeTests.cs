using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Runtime;
using TorchSharp;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>TorchSharp loads and computes on this machine, and the libstdc++ fix does what it claims.</summary>
public sealed class TorchRuntimeTests
{
    [Fact]
    public void TorchInitialisesAndComputesAGradient()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new[] { 2f, -3f }, requires_grad: true);
        var loss = (w * w).sum();
        loss.backward();
        Assert.Equal(new[] { 4f, -6f }, w.grad!.data<float>().ToArray());
    }

    [Fact]
    public void IdleTorchThreadsSleepUnlessTheEnvironmentSaysOtherwise()
    {
        TorchRuntime.EnsureInitialized();
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // OpenMP reads the native environment, not .NET's copy of it: the policy must be there.
        var getenv = LibC.Function<GetEnv>("getenv");
        string? native = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(getenv(ThreadWaitPolicy.Variable));
        Assert.False(string.IsNullOrEmpty(native));
        Assert.Equal(Environment.GetEnvironmentVariable(ThreadWaitPolicy.Variable), native);

        // The short spin before sleeping is there too, unless the environment chose its own or asked for libgomp's spinning.
        string? spin = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(getenv(ThreadWaitPolicy.SpinVariable));
        Assert.Equal(Environment.GetEnvironmentVariable(ThreadWaitPolicy.SpinVariable), spin);
        if (native == "PASSIVE" && !OrderedByEnvironment)
        {
            Assert.Equal(ThreadWaitPolicy.SpinCount, spin);
        }

        Assert.Equal(spin is { Length: > 0 } ? $"{native}, {ThreadWaitPolicy.SpinVariable} {spin}" : native, ThreadWaitPolicy.Apply());
    }

    private delegate IntPtr GetEnv(string name);

    // True when the test process itself was started with a wait policy or spin count (then the library keeps them).
    private static readonly bool OrderedByEnvironment = StartedWith(ThreadWaitPolicy.Variable) || StartedWith(ThreadWaitPolicy.SpinVariable);

    private static bool StartedWith(string name) =>
        File.Exists("/proc/self/environ") && File.ReadAllText("/proc/self/environ").Split('\0').Any(entry => entry.StartsWith(name + "=", StringComparison.Ordinal));

    [Fact]
    public void ShimInTheBuildOutputLoadsOnThisSystem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string shim = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(shim), $"{shim} is missing: the test project must reference a libtorch backend.");
        long? offset = LibTorchSharpCompatibility.FindRequirementFlagsOffset(shim, LibTorchSharpCompatibility.RequiredVersion, out ushort flags);
        bool weak = (flags & 2) != 0;
        if (LibTorchSharpCompatibility.SystemProvidesRequiredVersion())
        {
            // A new libstdc++: the build step must have left the file as shipped.
            Assert.False(weak, "the shim was modified although the system libstdc++ is new enough");
        }
        else
        {
            Assert.NotNull(offset);
            Assert.True(weak, "the build step did not weaken the GLIBCXX_3.4.32 requirement on this old libstdc++");
        }
    }

    [Fact]
    public void PatchChangesOneFlagAndIsIdempotent()
    {
        string original = FindPackagedShim();
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(original, copy);
        try
        {
            long? offset = LibTorchSharpCompatibility.FindRequirementFlagsOffset(copy, LibTorchSharpCompatibility.RequiredVersion, out ushort before);
            Assert.NotNull(offset);
            Assert.Equal(0, before & 2);

            var first = LibTorchSharpCompatibility.Apply(copy);
            if (LibTorchSharpCompatibility.SystemProvidesRequiredVersion())
            {
                Assert.Equal(LibTorchSharpCompatibility.Outcome.SystemIsNewEnough, first);
                Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(copy));
                return;
            }

            Assert.Equal(LibTorchSharpCompatibility.Outcome.Patched, first);
            Assert.Equal(LibTorchSharpCompatibility.Outcome.AlreadyWeak, LibTorchSharpCompatibility.Apply(copy));
            byte[] a = File.ReadAllBytes(original);
            byte[] b = File.ReadAllBytes(copy);
            int[] changed = Enumerable.Range(0, a.Length).Where(i => a[i] != b[i]).ToArray();
            Assert.Equal(new[] { (int)offset!.Value }, changed);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void FileWithoutTheRequirementIsLeftAlone()
    {
        string path = Path.Combine(Path.GetTempPath(), $"not-elf-{Guid.NewGuid():N}.so");
        File.WriteAllText(path, "not an ELF file");
        try
        {
            Assert.Equal(LibTorchSharpCompatibility.Outcome.NotRequired, LibTorchSharpCompatibility.Apply(path));
            Assert.Equal("not an ELF file", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string FindPackagedShim()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(torch).Assembly.GetName().Version!.ToString(3);
        string path = Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"expected the packaged shim at {path}");
        return path;
    }
}

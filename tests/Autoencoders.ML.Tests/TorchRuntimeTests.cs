using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Autoencoders.ML.Runtime;
using TorchSharp;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>
/// TorchSharp loads and computes on this machine; the library changes nothing process-wide unless the application calls
/// <see cref="TorchRuntime.Configure"/> (shown in a fresh process), does what it is asked when it does, and the libstdc++
/// fix does what it claims.
/// </summary>
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

    [Fact]
    public void ReferencingAndTrainingChangesNothingInTheProcessUnlessConfigured()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var report = RunRuntimeCheck(configure: false);
        Assert.Equal("2", report["latent_length"]); // it trained and scored
        Assert.Equal(string.Empty, report["environment_changes"]);
        Assert.Equal("(unset)", report["OMP_WAIT_POLICY"]);
        Assert.Equal("(unset)", report["GOMP_SPINCOUNT"]);
        Assert.Equal("0", report["memfd_libraries"]);
        Assert.NotEqual("0", report["shims"]);
        Assert.Equal(string.Empty, report["shim_changes"]);
        Assert.Equal(string.Empty, report["folder_changes"]);
        Assert.Equal(string.Empty, report["working_directory_changes"]);
        Assert.Equal(string.Empty, report["temp_changes"]);
        Assert.Equal(nameof(MklDispatch.NotRequested), report["mkl"]);
        Assert.StartsWith("idle threads: not changed (OpenMP's default); MKL: NotRequested", report["configuration"], StringComparison.Ordinal);
        Assert.EndsWith("libLibTorchSharp.so copies: not changed", report["configuration"], StringComparison.Ordinal);
        Assert.Equal("True", report["log_names_configuration"]);

        // Asking once torch is loaded is refused, saying why.
        Assert.StartsWith(nameof(InvalidOperationException), report["late_configure"], StringComparison.Ordinal);
        Assert.Contains("after libtorch was loaded", report["late_configure"], StringComparison.Ordinal);
    }

    [Fact]
    public void AConfiguredProcessGetsWhatItAskedForAndTheLogSaysSo()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var report = RunRuntimeCheck(configure: true);
        Assert.Equal("2", report["latent_length"]);
        Assert.Equal("PASSIVE", report["OMP_WAIT_POLICY"]);
        Assert.Equal(ThreadWaitPolicy.SpinCount, report["GOMP_SPINCOUNT"]);
        Assert.Equal("+GOMP_SPINCOUNT=10000 | +OMP_WAIT_POLICY=PASSIVE", report["environment_changes"]);
        bool unlock = RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64 && MklOnAmd.CpuVendor() == "AuthenticAMD"
            && Avx512F.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;
        Assert.Equal(unlock ? nameof(MklDispatch.Avx512Unlocked) : nameof(MklDispatch.NotApplicable), report["mkl"]);
        Assert.Equal(unlock ? "1" : "0", report["memfd_libraries"]);

        // The build step already made the shim loadable (or the system needs nothing), so the patch finds nothing to do.
        Assert.Equal(string.Empty, report["shim_changes"]);
        Assert.Matches("libLibTorchSharp.so copies: (AlreadyWeak|SystemIsNewEnough) [0-9]+$", report["configuration"]);
        Assert.Equal(report["configure_returned"], report["configuration"]);
        Assert.Equal("True", report["log_names_configuration"]);
        Assert.Contains("already called", report["late_configure"], StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigureIsRefusedWhenItCannotTakeEffect()
    {
        // The test assembly configured the runtime and loaded torch before any test (AssemblyInfo.cs).
        var twice = Assert.Throws<InvalidOperationException>(() => TorchRuntime.Configure(TorchRuntimeSettings.None));
        Assert.Contains("already called", twice.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.Configure((TorchRuntimeSettings)8));
        Assert.Contains("names no combination", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AShimTheBuildStepDidNotFixGetsAnErrorNamingTheFix()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"ae-shim-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string copy = Path.Combine(folder, "libLibTorchSharp.so");
            File.Copy(FindPackagedShim(), copy);
            byte[] asShipped = File.ReadAllBytes(copy);
            string? problem = TorchRuntime.ShimProblem(new[] { Path.Combine(folder, "missing.so"), copy });
            if (LibTorchSharpCompatibility.SystemProvidesRequiredVersion())
            {
                Assert.Null(problem);
                return;
            }

            Assert.NotNull(problem);
            Assert.Contains(copy, problem, StringComparison.Ordinal);
            Assert.Contains("AutoencodersMLPatchLibTorchSharp", problem, StringComparison.Ordinal);
            Assert.Contains("TorchRuntime.Configure(TorchRuntimeSettings.PatchShimCopies)", problem, StringComparison.Ordinal);
            Assert.Equal(asShipped, File.ReadAllBytes(copy)); // the diagnosis writes nothing

            Assert.Equal(LibTorchSharpCompatibility.Outcome.Patched, LibTorchSharpCompatibility.Apply(copy));
            Assert.Null(TorchRuntime.ShimProblem(new[] { copy }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Runs tests/Autoencoders.ML.RuntimeCheck in a fresh process, in an environment without the variables this test
    // process opted in to, with its own working and temporary folders, and returns its report.
    private static Dictionary<string, string> RunRuntimeCheck(bool configure)
    {
        string tests = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string program = Path.Combine(tests.Replace("Autoencoders.ML.Tests", "Autoencoders.ML.RuntimeCheck"), "Autoencoders.ML.RuntimeCheck.dll");
        Assert.True(File.Exists(program), $"{program} was not built");
        string folder = Path.Combine(Path.GetTempPath(), $"ae-runtime-{Guid.NewGuid():N}");
        string working = Directory.CreateDirectory(Path.Combine(folder, "work")).FullName;
        string temp = Directory.CreateDirectory(Path.Combine(folder, "tmp")).FullName;
        string report = Path.Combine(folder, "report.txt");
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = working };
            foreach (string name in new[] { ThreadWaitPolicy.Variable, ThreadWaitPolicy.SpinVariable, MklOnAmd.Variable, "MKL_VERBOSE" })
            {
                start.Environment.Remove(name);
            }

            start.Environment["TMPDIR"] = temp;
            start.ArgumentList.Add(program);
            start.ArgumentList.Add(report);
            if (configure)
            {
                start.ArgumentList.Add("--configure");
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"the runtime check failed: {error.Result}");
            Assert.True(output.Length == 0, $"something wrote to standard output: {output[..Math.Min(500, output.Length)]}");
            return File.ReadAllLines(report).Select(line => line.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
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

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using Autoencoders.ML.Runtime;
using TorchSharp;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>
/// MKL's AVX-512 kernels on AMD CPUs: the in-memory library the loader accepts, the decision taken for this CPU, MKL's
/// own report of the kernels it chose (with and without the opt-out), and float32 products that stay right.
/// </summary>
public sealed class MklOnAmdTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-mkl-{Guid.NewGuid():N}");

    public MklOnAmdTests()
    {
        Directory.CreateDirectory(folder);
    }

    private delegate int Answer();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static bool LinuxX64 => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;

    // The CPUs the library unlocks MKL on when asked (the test assembly asks, see AssemblyInfo.cs): AMD's, with the
    // AVX-512 subsets MKL's AVX-512 kernels use.
    private static bool UnlockExpected =>
        LinuxX64 && MklOnAmd.CpuVendor() == "AuthenticAMD" && Avx512F.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

    [Fact]
    public void TheInMemoryLibraryLoadsAndItsFunctionsReturnTheirValues()
    {
        if (!LinuxX64)
        {
            return;
        }

        IntPtr handle = MklOnAmd.Load(ConstantFunctionLibrary.Build(new[] { ("ae_test_answer_seven", 7), ("ae_test_answer_minus_three", -3), ("ae_test_zero", 0) }), global: false);
        Assert.NotEqual(IntPtr.Zero, handle);
        int Call(string name) => Marshal.GetDelegateForFunctionPointer<Answer>(NativeLibrary.GetExport(handle, name))();
        Assert.Equal(7, Call("ae_test_answer_seven"));
        Assert.Equal(-3, Call("ae_test_answer_minus_three"));
        Assert.Equal(0, Call("ae_test_zero"));
        Assert.False(NativeLibrary.TryGetExport(handle, "ae_test_not_there", out _));

        // A second library in the same process is a library of its own, not the first one again under a reused name.
        IntPtr second = MklOnAmd.Load(ConstantFunctionLibrary.Build(new[] { ("ae_test_answer_eleven", 11) }), global: false);
        Assert.NotEqual(handle, second);
        Assert.Equal(11, Marshal.GetDelegateForFunctionPointer<Answer>(NativeLibrary.GetExport(second, "ae_test_answer_eleven"))());
        Assert.Equal(7, Call("ae_test_answer_seven"));
    }

    [Fact]
    public void NamesThatAreNotCIdentifiersAreRefused()
    {
        Assert.Throws<ArgumentException>(() => ConstantFunctionLibrary.Build(Array.Empty<(string, int)>()));
        Assert.Contains("not a C identifier", Assert.Throws<ArgumentException>(() => ConstantFunctionLibrary.Build(new[] { ("two words", 1) })).Message);
        Assert.Throws<ArgumentException>(() => ConstantFunctionLibrary.Build(new[] { ("9lives", 1) }));
        Assert.Throws<ArgumentException>(() => ConstantFunctionLibrary.Build(new[] { (string.Empty, 1) }));
    }

    [Fact]
    public void TheDecisionFollowsTheCpuAndFloat32ProductsStayRight()
    {
        TorchRuntime.EnsureInitialized();
        var dispatch = TorchRuntime.MklDispatch;
        if (!UnlockExpected)
        {
            Assert.True(dispatch == MklDispatch.NotApplicable, $"{dispatch}: {TorchRuntime.MklDispatchDetail}");
            if (LinuxX64 && !IsIntel() && MklOnAmd.CpuVendor() != "AuthenticAMD")
            {
                // Hygon, Zhaoxin, a masked CPUID: not applied, and the detail says why.
                Assert.Contains("not AuthenticAMD", TorchRuntime.MklDispatchDetail, StringComparison.Ordinal);
            }
        }
        else if (Environment.GetEnvironmentVariable(MklOnAmd.Variable) is { } setting && setting.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Equal(MklDispatch.DisabledByEnvironment, dispatch);
        }
        else
        {
            Assert.True(dispatch == MklDispatch.Avx512Unlocked, $"{dispatch}: {TorchRuntime.MklDispatchDetail}");
        }

        // The decision reaches the description trainers write to the MLContext log.
        Assert.Contains($"MKL: {dispatch} ({TorchRuntime.MklDispatchDetail})", TorchRuntime.Configuration, StringComparison.Ordinal);

        // Whatever kernels MKL chose, a float32 product of awkward shapes agrees with the same product in float64.
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(7);
        foreach (var (m, k, n) in new[] { (256L, 784L, 512L), (37L, 129L, 3L), (1L, 1000L, 1L) })
        {
            var a = torch.randn(new[] { m, k }, generator: generator);
            var b = torch.randn(new[] { k, n }, generator: generator);
            var product = a.matmul(b).to(torch.ScalarType.Float64);
            var exact = a.to(torch.ScalarType.Float64).matmul(b.to(torch.ScalarType.Float64));
            double error = (product - exact).abs().max().item<double>();
            Assert.True(error < 1e-3, $"{m}×{k}×{n}: largest error {error}");
        }
    }

    [Fact]
    public void MklReportsItsAvx512KernelsOnAnAmdCpuAndItsOwnChoiceWhenTurnedOff()
    {
        if (!UnlockExpected)
        {
            return;
        }

        string csv = Path.Combine(folder, "rows.csv");
        var random = new Random(3);
        var text = new StringBuilder(string.Join(',', Enumerable.Range(0, 64).Select(i => $"x{i}")) + "\n");
        for (int r = 0; r < 128; r++)
        {
            text.AppendJoin(',', Enumerable.Range(0, 64).Select(_ => random.NextDouble().ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }

        File.WriteAllText(csv, text.ToString());
        string Kernels(string? setting)
        {
            var environment = new Dictionary<string, string?> { ["MKL_VERBOSE"] = "1", [MklOnAmd.Variable] = setting };
            var run = CliProcess.Run(folder, environment, "train", "--data", csv, "--hidden", "32", "--latent", "4", "--epochs", "1", "--out", Path.Combine(folder, $"m-{setting ?? "default"}"));
            Assert.True(run.Code == 0, run.Error);

            // MKL's first verbose line names the instruction set of the kernels it dispatched to.
            return run.Output.Split('\n').FirstOrDefault(line => line.StartsWith("MKL_VERBOSE oneMKL", StringComparison.Ordinal))
                ?? throw new Xunit.Sdk.XunitException($"MKL printed no version line; output began: {run.Output[..Math.Min(300, run.Output.Length)]}");
        }

        Assert.Contains("AVX-512", Kernels(null));
        Assert.DoesNotContain("AVX-512", Kernels("off"));
    }

    private static bool IsIntel() => MklOnAmd.CpuVendor() == "GenuineIntel";
}

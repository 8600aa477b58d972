using System.IO;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Autoencoders.ML.Runtime;

/// <summary>What <see cref="TorchRuntime.Configure"/> did about MKL's choice of kernels on this CPU.</summary>
internal enum MklDispatch
{
    /// <summary>
    /// Asked, but nothing to do: not Linux x86-64, an Intel CPU (MKL picks its best kernels itself), a CPU of another
    /// vendor than AMD (Hygon, Zhaoxin, a masked CPUID: not known to work), or a CPU without the AVX-512 subsets.
    /// </summary>
    NotApplicable,

    /// <summary>
    /// An AMD CPU with AVX-512: MKL was told the CPU is Intel's before libtorch loaded, so its float32 matrix multiplies
    /// use the AVX-512 kernels the CPU has (about 2× faster on the 2-core AMD EPYC of docs/benchmarks.md) instead of a
    /// generic path.
    /// </summary>
    Avx512Unlocked,

    /// <summary>The environment variable <c>AUTOENCODERS_MKL_AMD=off</c> asked to leave MKL alone.</summary>
    DisabledByEnvironment,

    /// <summary>libtorch was already loaded when the change was to be made (too late to change MKL's choice).</summary>
    TooLate,

    /// <summary>The helper could not be loaded (see <see cref="TorchRuntime.MklDispatchDetail"/>); MKL runs as it would anyway.</summary>
    Failed,

    /// <summary>
    /// The application did not ask (the default): MKL chooses its kernels itself. Ask with
    /// <see cref="TorchRuntimeSettings.MklAvx512OnAmd"/>.
    /// </summary>
    NotRequested,
}

/// <summary>
/// MKL — the matrix library inside libtorch's CPU build — chooses its kernels by asking whether the CPU is Intel's; on an
/// AMD CPU it answers no and runs a generic path even where the CPU has AVX-512 (Zen 4 and 5). MKL asks through two
/// exported functions, <c>mkl_serv_intel_cpu_true</c> and <c>mkl_serv_intel_cpu</c>, that libtorch calls through its
/// symbol table. A tiny library answering 1 to both (written in memory by <see cref="ConstantFunctionLibrary"/>) and
/// loaded into the process's global scope before libtorch makes MKL dispatch on the CPU's real feature flags — the
/// well-known <c>LD_PRELOAD</c> remedy, done in-process. Only when the application asks
/// (<see cref="TorchRuntimeSettings.MklAvx512OnAmd"/>), only on Linux x86-64, only on AMD's CPUs (vendor
/// <c>AuthenticAMD</c>, where it was measured) with AVX-512 F, CD, BW, DQ and VL (the subsets of MKL's AVX-512 kernels),
/// and never when the environment sets <c>AUTOENCODERS_MKL_AMD=off</c>.
/// </summary>
internal static class MklOnAmd
{
    /// <summary>The environment variable that turns this off (<c>off</c>, <c>0</c> or <c>false</c>).</summary>
    public const string Variable = "AUTOENCODERS_MKL_AMD";

    /// <summary>The functions MKL calls to ask whether the CPU is Intel's, each answered with 1.</summary>
    public static readonly IReadOnlyList<(string Name, int Value)> Answers = new[] { ("mkl_serv_intel_cpu_true", 1), ("mkl_serv_intel_cpu", 1) };

    private const int RtldNow = 2, RtldGlobal = 0x100, MfdCloexec = 1;

    private delegate IntPtr DlOpen(string path, int flags);

    private delegate IntPtr DlError();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int MemfdCreate(string name, uint flags);

    private delegate void GetVersionString(byte[] buffer, int length);

    /// <summary>The CPU vendor on which the helper is known to work.</summary>
    public const string Amd = "AuthenticAMD";

    /// <summary>The decision when the application did not ask.</summary>
    public static readonly (MklDispatch Result, string Detail) NotRequested =
        (MklDispatch.NotRequested, "not asked: MKL chooses its kernels itself; TorchRuntime.Configure(TorchRuntimeSettings.MklAvx512OnAmd) asks");

    /// <summary>Loads the helper when it applies; must run before libtorch loads. Returns what was done and why.</summary>
    public static (MklDispatch Result, string Detail) Apply()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            return (MklDispatch.NotApplicable, "not Linux x86-64");
        }

        string vendor = CpuVendor();
        if (vendor == "GenuineIntel")
        {
            return (MklDispatch.NotApplicable, "an Intel CPU: MKL chooses its kernels itself");
        }

        if (vendor != Amd)
        {
            return (MklDispatch.NotApplicable, $"CPU vendor '{vendor.Trim()}', not {Amd}: MKL's AVX-512 kernels are known to work on AMD's CPUs only, so MKL chooses itself");
        }

        if (!HasAvx512Subsets())
        {
            return (MklDispatch.NotApplicable, $"an {Amd} CPU without AVX-512 F/CD/BW/DQ/VL: MKL's generic path is its best");
        }

        string? setting = Environment.GetEnvironmentVariable(Variable);
        if (setting is not null && (setting.Equals("off", StringComparison.OrdinalIgnoreCase) || setting == "0" || setting.Equals("false", StringComparison.OrdinalIgnoreCase)))
        {
            return (MklDispatch.DisabledByEnvironment, $"{Variable}={setting}");
        }

        if (TorchRuntime.LibTorchLoaded())
        {
            return (MklDispatch.TooLate, "libtorch was loaded before TorchRuntime.Configure; call it before your first use of torch");
        }

        try
        {
            Load(ConstantFunctionLibrary.Build(Answers), global: true);
            return (MklDispatch.Avx512Unlocked, $"an {Amd} CPU with AVX-512 F/CD/BW/DQ/VL: MKL told it is Intel's");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or EntryPointNotFoundException or UnauthorizedAccessException)
        {
            return (MklDispatch.Failed, e.Message);
        }
    }

    /// <summary>MKL's version string (<c>MKL_Get_Version_String</c>) read from the loaded libtorch; null when libtorch has no MKL.</summary>
    public static string? Version()
    {
        foreach (string name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll" })
        {
            if (NativeLibrary.TryLoad(name, out var handle) && NativeLibrary.TryGetExport(handle, "MKL_Get_Version_String", out var function))
            {
                var buffer = new byte[512];
                Marshal.GetDelegateForFunctionPointer<GetVersionString>(function)(buffer, buffer.Length);
                int end = Array.IndexOf(buffer, (byte)0);
                return Encoding.ASCII.GetString(buffer, 0, end < 0 ? buffer.Length : end).Trim();
            }
        }

        return null;
    }

    /// <summary>The CPUID vendor string, e.g. <c>AuthenticAMD</c> or <c>GenuineIntel</c>.</summary>
    internal static string CpuVendor()
    {
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var bytes = new byte[12];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), ebx);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), edx);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), ecx);
        return Encoding.ASCII.GetString(bytes);
    }

    /// <summary>True when the CPU has the AVX-512 subsets MKL's AVX-512 kernels use: F, CD, BW, DQ and VL.</summary>
    internal static bool HasAvx512Subsets() =>
        Avx512F.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;

    /// <summary>
    /// Puts <paramref name="library"/> in an anonymous memory file and opens it, with <c>RTLD_GLOBAL</c> when
    /// <paramref name="global"/> so that every library loaded afterwards binds those symbols to it first. Nothing is
    /// written to disk. Returns the <c>dlopen</c> handle. Neither the handle nor the memory file is ever closed: the code
    /// must stay mapped, and the loader knows the library by its path <c>/proc/self/fd/N</c>, so a closed N reused by a
    /// later memory file would make <c>dlopen</c> hand back this library instead of the new one.
    /// </summary>
    internal static IntPtr Load(byte[] library, bool global)
    {
        int fd = LibC.Function<MemfdCreate>("memfd_create")("autoencoders-helper", MfdCloexec);
        if (fd < 0)
        {
            throw new IOException($"memfd_create failed (errno {Marshal.GetLastPInvokeError()})");
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RandomAccess.Write(file, library, 0);
            IntPtr loaded = LibC.LoaderFunction<DlOpen>("dlopen")($"/proc/self/fd/{fd}", RtldNow | (global ? RtldGlobal : 0));
            if (loaded == IntPtr.Zero)
            {
                IntPtr error = LibC.LoaderFunction<DlError>("dlerror")();
                throw new InvalidOperationException($"dlopen of the in-memory helper failed: {Marshal.PtrToStringUTF8(error) ?? "no reason given"}");
            }

            file.SetHandleAsInvalid(); // kept open for the life of the process (see above)
            return loaded;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}

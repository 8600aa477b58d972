using System.Runtime.InteropServices;

namespace Autoencoders.ML.Runtime;

/// <summary>
/// The C library's functions the runtime needs before libtorch loads and .NET does not wrap: <c>setenv</c> (OpenMP
/// reads the native environment, not .NET's copy), <c>memfd_create</c>, and the dynamic loader's <c>dlopen</c> and
/// <c>dlerror</c> (in libc from glibc 2.34, in libdl before). Linux (glibc) and macOS.
/// </summary>
internal static class LibC
{
    private static readonly Lazy<IntPtr> Handle = new(() =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out var linux) ? linux
        : OperatingSystem.IsMacOS() && NativeLibrary.TryLoad("libc.dylib", out var mac) ? mac
        : IntPtr.Zero);

    private static readonly Lazy<IntPtr> Loader = new(() =>
        Handle.Value != IntPtr.Zero && NativeLibrary.TryGetExport(Handle.Value, "dlopen", out _) ? Handle.Value
        : NativeLibrary.TryLoad("libdl.so.2", out var libdl) ? libdl
        : IntPtr.Zero);

    /// <summary>The C library's <paramref name="name"/> as a <typeparamref name="T"/>, or null where there is none.</summary>
    public static T? TryFunction<T>(string name)
        where T : Delegate =>
        Handle.Value != IntPtr.Zero && NativeLibrary.TryGetExport(Handle.Value, name, out var address) ? Marshal.GetDelegateForFunctionPointer<T>(address) : null;

    /// <summary>The C library's <paramref name="name"/>; throws <see cref="EntryPointNotFoundException"/> where there is none.</summary>
    public static T Function<T>(string name)
        where T : Delegate =>
        TryFunction<T>(name) ?? throw new EntryPointNotFoundException($"{name} is not exported by the C library");

    /// <summary>The dynamic loader's <paramref name="name"/> (<c>dlopen</c>, <c>dlerror</c>), from libc or libdl.</summary>
    public static T LoaderFunction<T>(string name)
        where T : Delegate =>
        Loader.Value != IntPtr.Zero && NativeLibrary.TryGetExport(Loader.Value, name, out var address)
            ? Marshal.GetDelegateForFunctionPointer<T>(address)
            : throw new EntryPointNotFoundException($"{name} is exported by neither libc.so.6 nor libdl.so.2");
}

// Run in a fresh process by RuntimeIsolationTests: references the library as an application would, trains a tiny
// autoencoder, and writes what changed in the process to a report file (one "key=value" a line). Writes nothing to
// standard output itself, so anything there came from the library or the native code it loaded.
//   Autoencoders.ML.RuntimeCheck <report file> [--configure]
// --configure calls TorchRuntime.Configure with every setting first, as an application that opts in would.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

string reportPath = args[0];
bool configure = args.Contains("--configure");
string application = AppContext.BaseDirectory;
string working = Directory.GetCurrentDirectory();
string temp = Path.GetTempPath();

var environmentBefore = NativeEnvironment();
var folderBefore = Listing(application);
var shimsBefore = ShimHashes(application);
var workingBefore = Listing(working);
var tempBefore = Listing(temp);

var report = new List<string>();
if (configure)
{
    report.Add($"configure_returned={TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd | TorchRuntimeSettings.PatchShimCopies)}");
}

// A tiny training through the ML.NET catalog, with the MLContext log captured.
var ml = new MLContext(seed: 0);
var log = new List<string>();
ml.Log += (_, e) =>
{
    lock (log)
    {
        log.Add(e.RawMessage);
    }
};
var random = new Random(0);
var rows = Enumerable.Range(0, 32).Select(_ => new Row { Features = Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble()).ToArray() }).ToList();
var data = ml.Data.LoadFromEnumerable(rows);
using (var model = ml.Transforms.Autoencoder("Latent", "Features", latentSize: 2, hiddenSizes: new[] { 4 }, epochs: 1).Fit(data))
{
    float[] latent = model.Transform(data).GetColumn<float[]>("Latent").First();
    report.Add($"latent_length={latent.Length}");
}

string late;
try
{
    TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads);
    late = "no exception";
}
catch (InvalidOperationException e)
{
    late = $"{e.GetType().Name}: {e.Message}";
}

var environmentAfter = NativeEnvironment();
report.Add($"environment_changes={string.Join(" | ", environmentBefore.Except(environmentAfter).Select(e => "-" + e).Concat(environmentAfter.Except(environmentBefore).Select(e => "+" + e)))}");
report.Add($"OMP_WAIT_POLICY={NativeGetEnv("OMP_WAIT_POLICY") ?? "(unset)"}");
report.Add($"GOMP_SPINCOUNT={NativeGetEnv("GOMP_SPINCOUNT") ?? "(unset)"}");
// One library maps several segments: count the distinct files (inode, the fifth column).
report.Add($"memfd_libraries={File.ReadLines("/proc/self/maps").Where(line => line.Contains("memfd:autoencoders-helper", StringComparison.Ordinal)).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4]).Distinct().Count()}");
report.Add($"shims={shimsBefore.Count}");
report.Add($"shim_changes={Changes(shimsBefore, ShimHashes(application))}");
report.Add($"folder_changes={Changes(folderBefore, Listing(application))}");
report.Add($"working_directory_changes={Changes(workingBefore, Listing(working))}");
// Not ours: the .NET runtime's diagnostic sockets, and the session file ONNX Runtime 1.31 writes to $TMPDIR/.ses
// whenever its environment is created (its telemetry SDK; OrtEnv.DisableTelemetryEvents does not prevent it).
report.Add($"temp_changes={Changes(tempBefore, Listing(temp), ignore: name => name.Contains("dotnet-diagnostic-", StringComparison.Ordinal) || name.Contains("clr-debug-pipe-", StringComparison.Ordinal) || Path.GetFileName(name) == ".ses")}");
report.Add($"configuration={TorchRuntime.Configuration}");
report.Add($"mkl={TorchRuntime.MklDispatch}");
report.Add($"log_names_configuration={log.Any(line => line.Contains(TorchRuntime.Configuration, StringComparison.Ordinal))}");
report.Add($"late_configure={late.ReplaceLineEndings(" ")}");
File.WriteAllLines(reportPath, report);
return 0;

// The C library's environment (what OpenMP and MKL read), not .NET's copy of it.
static List<string> NativeEnvironment()
{
    IntPtr libc = NativeLibrary.Load("libc.so.6");
    IntPtr array = Marshal.ReadIntPtr(NativeLibrary.GetExport(libc, "environ"));
    var entries = new List<string>();
    for (int i = 0; Marshal.ReadIntPtr(array, i * IntPtr.Size) is var entry && entry != IntPtr.Zero; i++)
    {
        entries.Add(Marshal.PtrToStringUTF8(entry)!);
    }

    entries.Sort(StringComparer.Ordinal);
    return entries;
}

static string? NativeGetEnv(string name) =>
    NativeEnvironment().FirstOrDefault(entry => entry.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

static Dictionary<string, string> Listing(string folder) =>
    Directory.EnumerateFileSystemEntries(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
        .ToDictionary(path => path, path => File.Exists(path) ? $"{new FileInfo(path).Length} {File.GetLastWriteTimeUtc(path):O}" : "folder", StringComparer.Ordinal);

static Dictionary<string, string> ShimHashes(string folder) =>
    Directory.EnumerateFiles(folder, "libLibTorchSharp.so", SearchOption.AllDirectories)
        .ToDictionary(path => path, path => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))), StringComparer.Ordinal);

static string Changes(Dictionary<string, string> before, Dictionary<string, string> after, Func<string, bool>? ignore = null) =>
    string.Join(" | ", before.Keys.Union(after.Keys)
        .Where(path => ignore?.Invoke(path) != true)
        .Where(path => !before.TryGetValue(path, out var a) || !after.TryGetValue(path, out var b) || a != b)
        .Order(StringComparer.Ordinal));

internal sealed class Row
{
    [VectorType(8)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

using System.Globalization;
using System.IO;
using System.Threading;
using Microsoft.ML.OnnxRuntime;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Runs one ONNX graph (one float input of shape [batch, InputSize]) on many rows per call. Thread-safe:
/// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// may be called concurrently.
/// </summary>
/// <remarks>
/// ONNX Runtime's session is native: running it after it was released crashes the process. Every run therefore holds a
/// lease; <see cref="Dispose"/> stops new leases (they throw <see cref="ObjectDisposedException"/>), waits for the runs
/// under way to end, and only then releases the session.
/// </remarks>
internal sealed class OnnxBatchScorer : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly string ownerName;
    private readonly object gate = new();
    private int running;
    private bool disposed;

    /// <summary>A session on <paramref name="model"/>; <paramref name="inputSize"/> null takes the graph's own last input dimension.</summary>
    public OnnxBatchScorer(byte[] model, string inputName, int? inputSize, int? intraOpThreads, string ownerName)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if ((intraOpThreads ?? DefaultIntraOpThreads.Value) is int threads)
        {
            options.IntraOpNumThreads = threads;
        }

        this.ownerName = ownerName;
        session = new InferenceSession(model, options);
        InputName = inputName;
        if (!session.InputMetadata.TryGetValue(inputName, out var input))
        {
            string inputs = string.Join(", ", session.InputMetadata.Keys);
            Dispose();
            throw new ArgumentException($"The ONNX graph has no input '{inputName}'; it has: {inputs}.");
        }

        InputSize = inputSize ?? (int)input.Dimensions[^1];
    }

    /// <summary>
    /// The intra-op threads a session gets when the caller gives none: on Linux, one per physical core the process may
    /// run on, set explicitly; elsewhere null (ONNX Runtime's own default). Left to itself on Linux, ONNX Runtime also
    /// makes one thread per physical core but pins its workers to cores while the calling thread floats, so the caller
    /// and a worker can share one core: on a 2-core machine the encoder of 784-512-128-32 then scored 191–194k rows/s,
    /// the speed of one thread, against 317–330k with the same two threads unpinned (docs/benchmarks.md, "Scoring speed").
    /// </summary>
    internal static readonly Lazy<int?> DefaultIntraOpThreads = new(PhysicalCores);

    public string InputName { get; }

    public int InputSize { get; }

    /// <summary>The graph's custom metadata (key → value).</summary>
    public IReadOnlyDictionary<string, string> Metadata => session.ModelMetadata.CustomMetadataMap;

    /// <summary>The names of the graph's outputs.</summary>
    public IEnumerable<string> OutputNames => session.OutputMetadata.Keys;

    /// <summary>True once <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed
    {
        get
        {
            lock (gate)
            {
                return disposed;
            }
        }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming the transform if the session was released.</summary>
    public void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            throw Disposed();
        }
    }

    /// <summary>Scores <paramref name="rows"/> rows held row-major in <paramref name="input"/>.</summary>
    /// <param name="input">rows × InputSize values.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="outputs">The graph outputs to compute.</param>
    /// <param name="results">One array per output, with room for rows × size values.</param>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public void Score(float[] input, int rows, IReadOnlyList<ScoredColumn> outputs, float[][] results)
    {
        lock (gate)
        {
            if (disposed)
            {
                throw Disposed();
            }

            running++;
        }

        try
        {
            Run(input, rows, outputs, results);
        }
        finally
        {
            lock (gate)
            {
                if (--running == 0 && disposed)
                {
                    Monitor.PulseAll(gate);
                }
            }
        }
    }

    /// <summary>
    /// Scores every row of <paramref name="rows"/> (each InputSize values) in batches of <paramref name="batchSize"/> rows
    /// and returns <paramref name="output"/>'s values, row-major (rows × output size).
    /// </summary>
    public float[] ScoreAll(IReadOnlyList<float[]> rows, ScoredColumn output, int batchSize)
    {
        var result = new float[rows.Count * output.Size];
        int largest = Math.Min(batchSize, rows.Count);
        var input = new float[largest * InputSize];
        var scored = new[] { new float[largest * output.Size] };
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, rows.Count - start);
            for (int r = 0; r < count; r++)
            {
                var row = rows[start + r];
                if (row.Length != InputSize)
                {
                    throw new ArgumentException($"Row {start + r} has {row.Length} values; the graph's input '{InputName}' takes {InputSize}.", nameof(rows));
                }

                row.CopyTo(input, r * InputSize);
            }

            Score(input, count, new[] { output }, scored);
            scored[0].AsSpan(0, count * output.Size).CopyTo(result.AsSpan(start * output.Size));
        }

        return result;
    }

    /// <summary>Stops new runs, waits for the runs under way, then releases the session. Idempotent.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            while (running > 0)
            {
                Monitor.Wait(gate);
            }
        }

        runOptions.Dispose();
        session.Dispose();
    }

    private void Run(float[] input, int rows, IReadOnlyList<ScoredColumn> outputs, float[][] results)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, input.AsMemory(0, rows * InputSize), new long[] { rows, InputSize });
        var names = outputs.Select(o => o.OnnxOutput).ToArray();
        using var values = session.Run(runOptions, new[] { InputName }, new[] { inputValue }, names);
        int i = 0;
        foreach (var value in values)
        {
            var data = value.GetTensorDataAsSpan<float>();
            int expected = rows * outputs[i].Size;
            if (data.Length != expected)
            {
                throw new InvalidOperationException(
                    $"ONNX output '{names[i]}' has {data.Length} values for {rows} rows; expected {expected}. The graph does not match the transform.");
            }

            data.CopyTo(results[i]);
            i++;
        }
    }

    /// <summary>Physical cores among the CPUs this process may run on (Linux topology files), or null where they cannot be read.</summary>
    private static int? PhysicalCores()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            // Environment.ProcessorCount counts the logical CPUs the process may use (affinity and container limits);
            // cpu0's siblings tell how many logical CPUs share one core.
            string siblings = File.ReadAllText("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list").Trim();
            int perCore = siblings.Split(',').Sum(part => part.Split('-') is { Length: 2 } range ? int.Parse(range[1], CultureInfo.InvariantCulture) - int.Parse(range[0], CultureInfo.InvariantCulture) + 1 : 1);
            return Math.Max(1, Environment.ProcessorCount / Math.Max(1, perCore));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    private ObjectDisposedException Disposed() =>
        new(ownerName, $"This {ownerName} was disposed: its ONNX Runtime session is released. Views and prediction engines created from it cannot be read any more; create the transform again (Fit the estimator) to score again.");
}

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
        if (intraOpThreads is int threads)
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

    private ObjectDisposedException Disposed() =>
        new(ownerName, $"This {ownerName} was disposed: its ONNX Runtime session is released. Views and prediction engines created from it cannot be read any more; create the transform again (Fit the estimator) to score again.");
}

using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Runs one ONNX graph (one float input of shape [batch, InputSize]) on many rows per call. Thread-safe:
/// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// may be called concurrently.
/// </summary>
internal sealed class OnnxBatchScorer : IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();

    public OnnxBatchScorer(byte[] model, string inputName, int inputSize, int? intraOpThreads)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads is int threads)
        {
            options.IntraOpNumThreads = threads;
        }

        session = new InferenceSession(model, options);
        InputName = inputName;
        InputSize = inputSize;
        if (!session.InputMetadata.ContainsKey(inputName))
        {
            throw new ArgumentException($"The ONNX graph has no input '{inputName}'; it has: {string.Join(", ", session.InputMetadata.Keys)}.");
        }
    }

    public string InputName { get; }

    public int InputSize { get; }

    /// <summary>Scores <paramref name="rows"/> rows held row-major in <paramref name="input"/>.</summary>
    /// <param name="input">rows × InputSize values.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="outputs">The graph outputs to compute.</param>
    /// <param name="results">One array per output, filled with rows × size values (reused, grown as needed).</param>
    public void Score(float[] input, int rows, IReadOnlyList<ScoredColumn> outputs, float[][] results)
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

    public void Dispose()
    {
        runOptions.Dispose();
        session.Dispose();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Autoencoders.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The immutable heart of every transform here: one ONNX graph that maps a known-size float vector column to one or
/// more new columns, scored in batches. Shared by the <see cref="IDataView"/> path and the per-row path
/// (PredictionEngine); safe to use from many threads.
/// </summary>
internal sealed class OnnxColumnMapper : IDisposable
{
    public OnnxColumnMapper(
        byte[] onnxModel, string inputColumnName, string onnxInputName, int inputSize,
        IReadOnlyList<ScoredColumn> outputs, int batchSize, int? intraOpThreads)
    {
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The scoring batch size must be positive.");
        }

        InputColumnName = inputColumnName;
        InputSize = inputSize;
        Outputs = outputs;
        BatchSize = batchSize;
        Scorer = new OnnxBatchScorer(onnxModel, onnxInputName, inputSize, intraOpThreads);
    }

    public string InputColumnName { get; }

    public int InputSize { get; }

    public IReadOnlyList<ScoredColumn> Outputs { get; }

    public int BatchSize { get; }

    public OnnxBatchScorer Scorer { get; }

    /// <summary>Checks the input column (present, known-size float vector of the trained size) and returns the output schema.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        int size = FeatureColumn.GetVectorSize(inputSchema, InputColumnName, "input");
        if (size != InputSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(inputSchema),
                $"Schema mismatch for input column '{InputColumnName}': expected vector of Single of size {InputSize} (the size the model was trained on), got size {size}.");
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var output in Outputs)
        {
            builder.AddColumn(output.ColumnName, output.IsScalar ? NumberDataViewType.Single : new VectorDataViewType(NumberDataViewType.Single, output.Size));
        }

        return builder.ToSchema();
    }

    public void Dispose() => Scorer.Dispose();
}

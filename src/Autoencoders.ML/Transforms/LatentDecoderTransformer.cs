using System;
using System.Collections.Generic;
using System.IO;
using Autoencoders.ML.Data;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// A trained decoder as an ML.NET transform: maps a latent column (<c>Vector&lt;Single&gt;</c> of the model's latent
/// size) to generated data (<c>Vector&lt;Single&gt;</c> of the output size, with the output activation: the
/// probabilities of a Bernoulli decoder). Feed it codes from an encoder, points drawn from the prior
/// (<c>mlContext.Data.SampleFromPrior</c>) or any other latent column. Create it with
/// <c>mlContext.Transforms.DecodeLatent(...)</c>.
/// </summary>
/// <remarks>
/// Scores in batches with ONNX Runtime, works row by row for <see cref="PredictionEngine{TSrc, TDst}"/>, is thread-safe,
/// and saves with <c>mlContext.Model.Save</c> as ML.NET's own OnnxTransformer with the decoder graph embedded (the
/// saved pipeline loads without this assembly). The model is not disposed by the transform.
/// </remarks>
public sealed class LatentDecoderTransformer : ITransformer, IDisposable
{
    private readonly OnnxColumnMapper mapper;
    private readonly Lazy<ITransformer> portable;

    internal LatentDecoderTransformer(AutoencoderModel model, string outputColumnName, string inputColumnName, int scoringBatchSize, int? scoringThreads)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        ScoringBatchSize = scoringBatchSize;
        byte[] graph = DecoderScoringGraph.Build(model).ToByteArray();
        var output = new ScoredColumn(outputColumnName, OnnxNames.Reconstruction, model.Spec.OutputSize, IsScalar: false);
        mapper = new OnnxColumnMapper(graph, inputColumnName, OnnxNames.Latent, model.LatentSize, new[] { output }, scoringBatchSize, scoringThreads);
        portable = new Lazy<ITransformer>(BuildPortable);
    }

    /// <summary>The trained model whose decoder runs.</summary>
    public AutoencoderModel Model { get; }

    /// <summary>The latent column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The column of generated data added (it replaces a column of the same name).</summary>
    public string OutputColumnName { get; }

    /// <summary>Rows per ONNX Runtime call when transforming an <see cref="IDataView"/>.</summary>
    public int ScoringBatchSize { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>Checks the latent column and returns the input schema with the generated column appended.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The latent column is missing, not a known-size vector of Single, or not of the model's latent size; the message
    /// names the column, the expected and the actual type.
    /// </exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckLatent(inputSchema);
        return mapper.GetOutputSchema(inputSchema);
    }

    /// <summary>Returns a lazily scored view (checked against the schema now, scored when a cursor reads it).</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckLatent(input.Schema);
        return new ScoredDataView(input, mapper);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckLatent(inputSchema);
        return new ScoredRowMapper(inputSchema, mapper);
    }

    /// <summary>Saves as ML.NET's ONNX transform with the per-row decoder graph embedded.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)portable.Value).Save(ctx);

    /// <summary>Releases ONNX Runtime's session (the model is left alone).</summary>
    public void Dispose()
    {
        mapper.Dispose();
        if (portable.IsValueCreated && portable.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private void CheckLatent(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        int size = FeatureColumn.GetVectorSize(schema, InputColumnName, "latent");
        if (size != Model.LatentSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(schema),
                $"Schema mismatch for latent column '{InputColumnName}': expected vector of Single of size {Model.LatentSize} (the model's latent size), got size {size}.");
        }
    }

    /// <summary>The same transform from ML.NET's own pieces: an OnnxTransformer on a graph named after the columns.</summary>
    private ITransformer BuildPortable()
    {
        var ml = new MLContext();
        // ML.NET's OnnxTransformer cannot write over its own input column: decode to a temporary name, then copy.
        bool inPlace = OutputColumnName == InputColumnName;
        string output = inPlace ? $"{OutputColumnName}.decoder.{Guid.NewGuid():N}" : OutputColumnName;
        var rename = new Dictionary<string, string> { [OnnxNames.Latent] = InputColumnName, [OnnxNames.Reconstruction] = output };
        byte[] graph = DecoderScoringGraph.Build(Model, rename, perRow: true).ToByteArray();
        IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel(new[] { output }, new[] { InputColumnName }, new MemoryStream(graph));
        if (inPlace)
        {
            pipeline = pipeline.Append(ml.Transforms.CopyColumns(OutputColumnName, output)).Append(ml.Transforms.DropColumns(output));
        }

        return pipeline.Fit(EmptyInput(ml));
    }

    private IDataView EmptyInput(MLContext ml)
    {
        var schema = SchemaDefinition.Create(typeof(InputRow));
        // The indexer looks columns up by their current name: set the type before renaming.
        var latent = schema[nameof(InputRow.Latent)];
        latent.ColumnType = new VectorDataViewType(NumberDataViewType.Single, Model.LatentSize);
        latent.ColumnName = InputColumnName;
        return ml.Data.LoadFromEnumerable(new[] { new InputRow { Latent = new float[Model.LatentSize] } }, schema);
    }

    private sealed class InputRow
    {
        public float[] Latent { get; set; } = Array.Empty<float>();
    }
}

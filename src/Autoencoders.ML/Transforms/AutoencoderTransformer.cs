using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// A fitted autoencoder as an ML.NET transform: adds the latent code, the reconstruction and/or the per-row
/// reconstruction error (mean squared error over the row's values) of a known-size <c>Vector&lt;Single&gt;</c> column.
/// </summary>
/// <remarks>
/// <para>Scoring runs the exported ONNX graph with ONNX Runtime, many rows per call
/// (<see cref="ScoringBatchSize"/>), and works row by row for <see cref="PredictionEngine{TSrc, TDst}"/>. Safe to use from
/// several threads at once.</para>
/// <para><c>mlContext.Model.Save</c> stores the transform as ML.NET's own ONNX transform with the graph embedded, so the
/// saved pipeline loads with <c>mlContext.Model.Load</c> in any application that references Microsoft.ML.OnnxTransformer
/// — this assembly is not needed — and gives the same columns (the loaded stage is an <c>OnnxTransformer</c>).</para>
/// </remarks>
public sealed class AutoencoderTransformer : ITransformer, IDisposable
{
    private readonly OnnxColumnMapper mapper;
    private readonly bool ownsModel;
    private readonly Lazy<ITransformer> portable;

    internal AutoencoderTransformer(AutoencoderModel model, AutoencoderColumns columns, int scoringBatchSize, int? scoringThreads, bool ownsModel)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Columns = columns ?? throw new ArgumentNullException(nameof(columns));
        columns.Validate();
        this.ownsModel = ownsModel;
        ScoringBatchSize = scoringBatchSize;
        var outputs = columns.Outputs(model).ToList();
        byte[] graph = OnnxScoringGraph.Build(model, outputs.Select(o => o.OnnxOutput).ToList()).ToByteArray();
        mapper = new OnnxColumnMapper(graph, columns.InputColumnName, OnnxNames.Features, model.InputSize, outputs, scoringBatchSize, scoringThreads);
        portable = new Lazy<ITransformer>(BuildPortable);
    }

    /// <summary>The trained model behind the transform.</summary>
    public AutoencoderModel Model { get; }

    /// <summary>Which columns are read and written.</summary>
    public AutoencoderColumns Columns { get; }

    /// <summary>Rows per ONNX Runtime call when transforming an <see cref="IDataView"/>.</summary>
    public int ScoringBatchSize { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>
    /// Checks the input column (present, known-size vector of Single of the trained size) and returns the input schema
    /// with the output columns appended.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or has the wrong type or size; the message names it.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => mapper.GetOutputSchema(inputSchema);

    /// <summary>Returns a lazily scored view: nothing is computed until a cursor reads it.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoredDataView(input, mapper);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ScoredRowMapper(inputSchema, mapper);

    /// <summary>Saves as ML.NET's ONNX transform (see remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)portable.Value).Save(ctx);

    /// <summary>Releases ONNX Runtime's session and, when the transform was trained by its estimator, the model.</summary>
    public void Dispose()
    {
        mapper.Dispose();
        if (portable.IsValueCreated && portable.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }

        if (ownsModel)
        {
            Model.Dispose();
        }
    }

    /// <summary>
    /// The same transform built only from ML.NET's own pieces: an OnnxTransformer whose graph names its tensors after
    /// the columns, plus a rename when an output replaces the input column.
    /// </summary>
    private ITransformer BuildPortable()
    {
        var ml = new MLContext();
        string input = Columns.InputColumnName;
        var outputs = Columns.Outputs(Model).ToList();
        var temporary = outputs.ToDictionary(o => o.ColumnName, o => o.ColumnName == input ? $"{o.ColumnName}.autoencoder.{Guid.NewGuid():N}" : o.ColumnName);
        var rename = new Dictionary<string, string> { [OnnxNames.Features] = input };
        foreach (var output in outputs)
        {
            rename[output.OnnxOutput] = temporary[output.ColumnName];
        }

        byte[] graph = OnnxScoringGraph.Build(Model, outputs.Select(o => o.OnnxOutput).ToList(), rename, perRow: true).ToByteArray();
        var dummy = EmptyInput(ml, input, Model.InputSize);
        IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel(
            outputs.Select(o => temporary[o.ColumnName]).ToArray(), new[] { input }, new MemoryStream(graph));
        foreach (var (column, temp) in temporary.Where(t => t.Key != t.Value))
        {
            pipeline = pipeline.Append(ml.Transforms.CopyColumns(column, temp)).Append(ml.Transforms.DropColumns(temp));
        }

        return pipeline.Fit(dummy);
    }

    private static IDataView EmptyInput(MLContext ml, string column, int size)
    {
        var schema = SchemaDefinition.Create(typeof(InputRow));
        // The indexer looks columns up by their current name: set the type before renaming.
        var features = schema[nameof(InputRow.Features)];
        features.ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        features.ColumnName = column;
        return ml.Data.LoadFromEnumerable(new[] { new InputRow { Features = new float[size] } }, schema);
    }

    private sealed class InputRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}

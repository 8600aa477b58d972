using Google.Protobuf;
using Microsoft.ML;
using Onnx;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// What a scoring transform runs, as its subclass describes it: one known-size <c>Vector&lt;Single&gt;</c> input column
/// fed to one graph input, the output columns filled from graph outputs, and the graph itself in its batched form
/// (for ONNX Runtime here) and its one-row form with tensors named after the columns (for ML.NET's OnnxTransformer
/// when the pipeline is saved). Holds no session: estimators use it to describe the output before any work.
/// </summary>
internal sealed class ScoringGraph
{
    private readonly Func<IReadOnlyDictionary<string, string>?, bool, ModelProto> build;

    /// <summary>Describes a graph.</summary>
    /// <param name="inputColumnName">The column read.</param>
    /// <param name="inputRole">What the column is for, as errors name it ("input", "latent").</param>
    /// <param name="onnxInputName">The graph input it feeds.</param>
    /// <param name="inputSize">Values per row the graph expects.</param>
    /// <param name="sizeMeaning">Why that size, as errors explain it ("the size the model was trained on").</param>
    /// <param name="outputs">The columns added, in order.</param>
    /// <param name="build">
    /// (rename, perRow) → graph: rename maps tensor names to new names (null keeps them); perRow asks for the one-row
    /// form. Typically <c>OnnxScoringGraph.Build</c> or <c>DecoderScoringGraph.Build</c> with the model bound.
    /// </param>
    public ScoringGraph(
        string inputColumnName, string inputRole, string onnxInputName, int inputSize, string sizeMeaning,
        IReadOnlyList<ScoredColumn> outputs, Func<IReadOnlyDictionary<string, string>?, bool, ModelProto> build)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count == 0)
        {
            throw new ArgumentException("A scoring transform must add at least one column.", nameof(outputs));
        }

        InputColumnName = inputColumnName;
        InputRole = inputRole;
        OnnxInputName = onnxInputName;
        InputSize = inputSize;
        SizeMeaning = sizeMeaning;
        Outputs = outputs;
        this.build = build ?? throw new ArgumentNullException(nameof(build));
    }

    /// <summary>The column read.</summary>
    public string InputColumnName { get; }

    /// <summary>What the column is for, as errors name it.</summary>
    public string InputRole { get; }

    /// <summary>The graph input fed by <see cref="InputColumnName"/>.</summary>
    public string OnnxInputName { get; }

    /// <summary>Values per row.</summary>
    public int InputSize { get; }

    /// <summary>Why the input has that size, as errors explain it.</summary>
    public string SizeMeaning { get; }

    /// <summary>The columns added, in order.</summary>
    public IReadOnlyList<ScoredColumn> Outputs { get; }

    /// <summary>The batched graph ([batch, InputSize] in), tensors under their contract names.</summary>
    public byte[] Batched() => build(null, false).ToByteArray();

    /// <summary>The one-row graph with tensors renamed as <paramref name="rename"/> says.</summary>
    public byte[] PerRow(IReadOnlyDictionary<string, string> rename) => build(rename, true).ToByteArray();

    /// <summary>Checks the input column (present, known-size vector of Single of <see cref="InputSize"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or has the wrong type or size; the message names it.</exception>
    public void CheckInput(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        FeatureColumn.GetVectorSize(schema, InputColumnName, InputRole, InputSize, SizeMeaning, nameof(schema));
    }

    /// <summary>Checks the input column and returns <paramref name="schema"/> with the output columns appended.</summary>
    public DataViewSchema OutputSchema(DataViewSchema schema)
    {
        CheckInput(schema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(schema);
        foreach (var output in Outputs)
        {
            builder.AddColumn(output.ColumnName, output.Type);
        }

        return builder.ToSchema();
    }

    /// <summary>Checks the input column's kind and returns the shape after the transform (for estimators).</summary>
    public SchemaShape OutputShape(SchemaShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        SchemaShapes.CheckVectorOfSingle(shape, InputColumnName, InputRole);
        return SchemaShapes.Append(shape, Outputs.Select(o => (o.ColumnName, o.Type)));
    }
}

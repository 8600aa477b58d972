using Microsoft.ML;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The estimator that applies an already trained model: nothing is learnt, so <see cref="Fit"/> only checks the input
/// schema and creates the <see cref="ScoringTransformer"/>. It exists so that a trained model can sit anywhere in an
/// estimator pipeline (<c>.Append(...)</c>); <c>mlContext.Transforms.ApplyAutoencoder(model, ...)</c> and
/// <c>mlContext.Transforms.DecodeLatent(...)</c> make one.
/// </summary>
/// <remarks>
/// | | |
/// |---|---|
/// | Does this estimator need to look at the data to train its parameters? | No |
/// | Input column data type | Known-size vector of <see cref="float"/>, the size the graph reads |
/// | Output column data types | Those of the transform created |
/// | Exportable to ONNX | Yes: <c>model.ExportOnnx(...)</c>, and <c>mlContext.Model.Save</c> embeds the graph |
/// </remarks>
/// <typeparam name="TTransformer">The transform created.</typeparam>
internal sealed class ScoringEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : ScoringTransformer
{
    private readonly ScoringGraph graph;
    private readonly Func<TTransformer> create;
    private readonly Func<SchemaShape, SchemaShape> outputShape;

    /// <summary>
    /// An estimator whose transform runs <paramref name="graph"/>, made by <paramref name="create"/>; a task whose ML.NET
    /// stages change the graph's columns gives its <paramref name="outputShape"/> (which checks the input too).
    /// </summary>
    internal ScoringEstimator(ScoringGraph graph, int scoringBatchSize, Func<TTransformer> create, Func<SchemaShape, SchemaShape>? outputShape = null)
    {
        this.graph = graph ?? throw new ArgumentNullException(nameof(graph));
        if (scoringBatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scoringBatchSize), scoringBatchSize, $"scoringBatchSize must be positive (rows per ONNX Runtime call, {ScoringTransformer.DefaultScoringBatchSize} by default).");
        }

        this.create = create;
        this.outputShape = outputShape ?? graph.OutputShape;
    }

    /// <summary>Checks the input column of <paramref name="input"/> and returns the transform (no training).</summary>
    /// <param name="input">Data whose schema is checked.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of the wrong type or size; the message names it.</exception>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        graph.CheckInput(input.Schema);
        return create();
    }

    /// <summary>Checks the input column's kind and returns the shape after the transform.</summary>
    /// <param name="inputSchema">The shape of the data.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or not a known-size vector of Single.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return outputShape(inputSchema);
    }
}

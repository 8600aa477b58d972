using Microsoft.ML;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The base of estimators that apply an already trained model: nothing is learnt, so <see cref="Fit"/> only checks the
/// input schema and creates the <see cref="ScoringTransformer"/>. They exist so that a trained model can sit anywhere
/// in an estimator pipeline (<c>.Append(...)</c>).
/// </summary>
/// <typeparam name="TTransformer">The transform created.</typeparam>
public abstract class ScoringEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : ScoringTransformer
{
    private readonly ScoringGraph graph;

    private protected ScoringEstimator(ScoringGraph graph, int scoringBatchSize)
    {
        this.graph = graph ?? throw new ArgumentNullException(nameof(graph));
        if (scoringBatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scoringBatchSize), scoringBatchSize, $"scoringBatchSize must be positive (rows per ONNX Runtime call, {ScoringTransformer.DefaultScoringBatchSize} by default).");
        }

        ScoringBatchSize = scoringBatchSize;
    }

    /// <summary>Rows per ONNX Runtime call.</summary>
    public int ScoringBatchSize { get; }

    /// <summary>Checks the input column of <paramref name="input"/> and returns the transform (no training).</summary>
    /// <param name="input">Data whose schema is checked.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of the wrong type or size; the message names it.</exception>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        graph.CheckInput(input.Schema);
        return CreateTransformer();
    }

    /// <summary>Checks the input column's kind and returns the shape after the transform.</summary>
    /// <param name="inputSchema">The shape of the data.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or not a known-size vector of Single.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => graph.OutputShape(inputSchema);

    /// <summary>Creates the transform (the input schema was checked).</summary>
    private protected abstract TTransformer CreateTransformer();
}

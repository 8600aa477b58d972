using Microsoft.ML;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The immutable heart of every scoring transform: a <see cref="ScoringGraph"/> with its ONNX Runtime session and batch
/// size. Shared by the <see cref="IDataView"/> path and the per-row path (PredictionEngine); safe to use from many
/// threads, and safe to dispose while they run (see <see cref="OnnxBatchScorer"/>).
/// </summary>
internal sealed class OnnxColumnMapper : IDisposable
{
    public OnnxColumnMapper(ScoringGraph graph, int batchSize, int? intraOpThreads, string ownerName)
    {
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The scoring batch size must be positive.");
        }

        Graph = graph ?? throw new ArgumentNullException(nameof(graph));
        BatchSize = batchSize;
        Scorer = new OnnxBatchScorer(graph.Batched(), graph.OnnxInputName, graph.InputSize, intraOpThreads, ownerName);
    }

    public ScoringGraph Graph { get; }

    public string InputColumnName => Graph.InputColumnName;

    public int InputSize => Graph.InputSize;

    public IReadOnlyList<ScoredColumn> Outputs => Graph.Outputs;

    public int BatchSize { get; }

    public OnnxBatchScorer Scorer { get; }

    /// <summary>Checks the input column (present, known-size float vector of the trained size) and returns the output schema.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Graph.OutputSchema(inputSchema);

    public void Dispose() => Scorer.Dispose();
}

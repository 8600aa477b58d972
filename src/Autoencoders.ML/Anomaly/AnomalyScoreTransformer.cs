using Autoencoders.ML.Onnx;
using Autoencoders.ML.Transforms;

namespace Autoencoders.ML.Anomaly;

/// <summary>
/// The ONNX-scored half of <see cref="AutoencoderAnomalyTransformer"/>: runs the anomaly graph in batches (the shared
/// <see cref="ScoringTransformer"/> machinery) and adds the score and a 0/1 flag as Single columns.
/// </summary>
internal sealed class AnomalyScoreTransformer : ScoringTransformer
{
    public AnomalyScoreTransformer(AnomalyScorer scorer, string inputColumnName, string scoreColumnName, string flagColumnName, double threshold, int scoringBatchSize, int? scoringThreads)
        : base(Describe(scorer, inputColumnName, scoreColumnName, flagColumnName, threshold), scoringBatchSize, scoringThreads)
    {
    }

    public static ScoringGraph Describe(AnomalyScorer scorer, string inputColumnName, string scoreColumnName, string flagColumnName, double threshold)
    {
        var outputs = new[]
        {
            new ScoredColumn(scoreColumnName, AnomalyOnnx.Score, 1, IsScalar: true),
            new ScoredColumn(flagColumnName, AnomalyOnnx.IsAnomaly, 1, IsScalar: true),
        };
        return new ScoringGraph(
            inputColumnName, "input", OnnxNames.Features, scorer.Model.InputSize, "the size the detector was trained on", outputs,
            (rename, perRow) => AnomalyOnnxGraph.Build(scorer, threshold, new[] { AnomalyOnnx.Score, AnomalyOnnx.IsAnomaly }, rename, perRow));
    }
}

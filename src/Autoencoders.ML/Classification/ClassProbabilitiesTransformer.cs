using Autoencoders.ML.Onnx;
using Autoencoders.ML.Transforms;

namespace Autoencoders.ML.Classification;

/// <summary>
/// The ONNX-scored half of <see cref="AutoencoderClassifierTransformer"/>: adds <c>Score</c> (class probabilities) and
/// the index of the most probable class, batched through ONNX Runtime like every scoring transform.
/// </summary>
internal sealed class ClassProbabilitiesTransformer : ScoringTransformer
{
    public ClassProbabilitiesTransformer(AutoencoderClassifier classifier, string featureColumnName, string indexColumnName, int scoringBatchSize)
        : base(Describe(classifier, featureColumnName, indexColumnName), scoringBatchSize, scoringThreads: null)
    {
    }

    private static ScoringGraph Describe(AutoencoderClassifier classifier, string featureColumnName, string indexColumnName)
    {
        var outputs = new List<ScoredColumn>
        {
            new(ClassifierColumns.Score, ClassifierOnnx.Probabilities, classifier.Classes.Count, IsScalar: false),
            new(indexColumnName, ClassifierOnnx.PredictedIndex, 1, IsScalar: true),
        };
        var names = outputs.Select(o => o.OnnxOutput).ToList();
        return new ScoringGraph(
            featureColumnName, "feature", OnnxNames.Features, classifier.InputSize, "the size the classifier was trained on", outputs,
            (rename, perRow) => ClassifierOnnx.Build(classifier, names, rename, perRow));
    }
}

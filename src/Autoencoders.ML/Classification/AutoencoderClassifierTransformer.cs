using Autoencoders.ML.IO;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Classification;

/// <summary>
/// A fine-tuned autoencoder classifier as an ML.NET transform: adds <c>Score</c> (Vector&lt;Single, classes&gt;, class
/// probabilities in key order) and <c>PredictedLabel</c> (the label's key type, with its key values), as ML.NET's
/// multiclass trainers do. The column names are the trainer's <see cref="AutoencoderClassifierTrainer.Options"/>.
/// </summary>
/// <remarks>
/// <para>The probabilities and the most probable class's index are scored in batches through ONNX Runtime (with the
/// row checks and thread safety of every scoring transform); ML.NET's own stages then turn the index into the label:
/// ValueMapping from index i to the i-th class value, and MapValueToKey with the classes as its key data, so the key
/// values are the classes in output order.</para>
/// <para>Saving and reloading work as for every <see cref="ScoringTransformer"/>: <c>mlContext.Model.LoadAutoencoderPipeline</c>
/// gives this transform back with its <see cref="Classifier"/>. After a stock <c>mlContext.Model.Load</c>,
/// <c>PredictedLabel</c> is a one-element vector of the same key type with the same key values, so
/// <c>MapKeyToValue</c> still gives the class.</para>
/// </remarks>
public sealed class AutoencoderClassifierTransformer : ScoringTransformer
{
    internal AutoencoderClassifierTransformer(
        AutoencoderClassifier classifier, string featureColumnName, string scoreColumnName, string predictedLabelColumnName, int scoringBatchSize, bool ownsClassifier)
        : base(
            Describe(classifier, featureColumnName, scoreColumnName, IndexColumn(predictedLabelColumnName)), scoringBatchSize, scoringThreads: null,
            LabelStages(classifier.Classes, IndexColumn(predictedLabelColumnName), predictedLabelColumnName), ownsClassifier ? classifier : null)
    {
        Classifier = classifier;
        FeatureColumnName = featureColumnName;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
    }

    /// <summary>The trained classifier.</summary>
    public AutoencoderClassifier Classifier { get; }

    /// <summary>The column read.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The class probabilities column added (Vector&lt;Single, classes&gt;).</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted class column added (the label's key type).</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>The classifier a saved pipeline's graph describes (see <see cref="SavedTransform.RestoreTask"/>).</summary>
    internal static AutoencoderClassifierTransformer Restore(SavedTransform saved, AutoencoderModel model, global::Onnx.ModelProto graph, string source)
    {
        string json = EmbeddedModel.Value(graph, OnnxNames.ClassifierKey) ?? throw EmbeddedModel.Missing(source, OnnxNames.ClassifierKey);
        string score = saved.Require(saved.ScoreColumn, nameof(saved.ScoreColumn), source);
        string predicted = saved.Require(saved.PredictedLabelColumn, nameof(saved.PredictedLabelColumn), source);
        var classifier = AutoencoderClassifier.Restore(model, ClassifierState.FromJson(json, source), source);
        try
        {
            return new AutoencoderClassifierTransformer(classifier, saved.InputColumn, score, predicted, saved.ScoringBatchSize, ownsClassifier: true);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    // Type, input column, batch size and stages are written in by ScoringTransformer.SavedDescription.
    private protected override SavedTransform Saved => new()
    {
        ScoreColumn = ScoreColumnName,
        PredictedLabelColumn = PredictedLabelColumnName,
    };

    private protected override AutoencoderModel SavedModel => Classifier.Model;

    private protected override (string Key, string Value)? SavedState => (OnnxNames.ClassifierKey, Classifier.State().ToJson());

    private static string IndexColumn(string predictedLabelColumnName) => predictedLabelColumnName + ".Index";

    private static ScoringGraph Describe(AutoencoderClassifier classifier, string featureColumnName, string scoreColumnName, string indexColumnName)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var outputs = new List<ScoredColumn>
        {
            new(scoreColumnName, OnnxNames.Probabilities, classifier.Classes.Count, IsScalar: false),
            new(indexColumnName, OnnxNames.PredictedIndex, 1, IsScalar: true),
        };
        var names = outputs.Select(o => o.OnnxOutput).ToList();
        return new ScoringGraph(
            featureColumnName, "feature", OnnxNames.Features, classifier.InputSize, "the size the classifier was trained on", outputs,
            (rename, perRow) => ClassifierOnnx.Build(classifier, names, rename, perRow));
    }

    // Index i → the i-th class value (ValueMapping), then that value → its key, the classes in output order being the key
    // data (MapValueToKey), then the helper columns dropped. All ML.NET's own stages: they save and load anywhere, and a
    // key made by MapValueToKey keeps its key values after a stock load (ValueMapping's own keys do not, issue 28).
    private static ITransformer LabelStages(ClassLabels classes, string indexColumnName, string outputColumnName)
    {
        var method = typeof(AutoencoderClassifierTransformer).GetMethod(nameof(Map), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(classes.Values.GetType().GetElementType()!);
        return (ITransformer)method.Invoke(null, new object[] { classes.Values, indexColumnName, outputColumnName })!;
    }

    private static ITransformer Map<T>(T[] values, string indexColumnName, string outputColumnName)
    {
        var ml = new MLContext();
        string value = outputColumnName + ".Value";
        var keys = ml.Data.LoadFromEnumerable(values.Select(v => new KeyRow<T> { Value = v }));
        var stages = ml.Transforms.Conversion.MapValue(value, values.Select((v, i) => new KeyValuePair<float, T>(i, v)), indexColumnName)
            .Append(ml.Transforms.Conversion.MapValueToKey(outputColumnName, value, keyData: keys))
            .Append(ml.Transforms.DropColumns(indexColumnName, value));
        return FitStages(ml, stages, indexColumnName);
    }

    private sealed class KeyRow<T>
    {
        public T Value { get; set; } = default!;
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Classification;

/// <summary>
/// A fine-tuned autoencoder classifier as an ML.NET transform: adds <c>Score</c> (Vector&lt;Single, classes&gt;, class
/// probabilities in key order) and <c>PredictedLabel</c> (the label's key type, with its key values), as ML.NET's
/// multiclass trainers do.
/// </summary>
/// <remarks>
/// A chain of three ML.NET stages: the probabilities are scored in batches through ONNX Runtime (a
/// <see cref="Transforms.ScoringTransformer"/>, with its row checks and thread safety), then ML.NET's ValueMapping turns
/// the most probable index into the label's key, then the index column is dropped. <c>mlContext.Model.Save</c> stores
/// the chain with ML.NET's own OnnxTransformer in place of the first stage, so the saved pipeline loads without this
/// assembly.
/// </remarks>
public sealed class AutoencoderClassifierTransformer : ITransformer, IDisposable
{
    private readonly ClassProbabilitiesTransformer scoring;
    private readonly TransformerChain<ITransformer> chain;
    private readonly bool ownsClassifier;

    internal AutoencoderClassifierTransformer(AutoencoderClassifier classifier, string featureColumnName, int scoringBatchSize, bool ownsClassifier)
    {
        Classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
        FeatureColumnName = featureColumnName;
        this.ownsClassifier = ownsClassifier;
        string index = ClassifierColumns.PredictedLabel + ".Index";
        scoring = new ClassProbabilitiesTransformer(classifier, featureColumnName, index, scoringBatchSize);
        chain = new TransformerChain<ITransformer>(scoring, PredictedLabelMapping.Create(classifier.Classes, index, ClassifierColumns.PredictedLabel));
    }

    /// <summary>The trained classifier.</summary>
    public AutoencoderClassifier Classifier { get; }

    /// <summary>The column read.</summary>
    public string FeatureColumnName { get; }

    /// <summary>Always true (PredictionEngine works).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>Checks the feature column and returns the schema with <c>Score</c> and <c>PredictedLabel</c> added.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => chain.GetOutputSchema(inputSchema);

    /// <summary>The per-row mapper that PredictionEngine uses.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)chain).GetRowToRowMapper(inputSchema);

    /// <summary>Returns a lazily scored view with <c>Score</c> and <c>PredictedLabel</c>.</summary>
    public IDataView Transform(IDataView input) => chain.Transform(input);

    /// <summary>Saves as ML.NET stages (see remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)chain).Save(ctx);

    /// <summary>Releases the ONNX Runtime session and, when the trainer made the classifier, its weights.</summary>
    public void Dispose()
    {
        scoring.Dispose();
        if (ownsClassifier)
        {
            Classifier.Dispose();
        }
    }
}

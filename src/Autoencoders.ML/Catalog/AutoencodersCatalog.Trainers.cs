using Autoencoders.ML.Anomaly;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Transforms;
using Microsoft.ML;

namespace Microsoft.ML;

/// <summary>The trainers on <c>mlContext.AnomalyDetection.Trainers</c> (the autoencoder anomaly detector, beside ML.NET's <c>RandomizedPca</c>) and <c>mlContext.MulticlassClassification.Trainers</c> (the fine-tuned autoencoder classifier).</summary>
public static partial class AutoencodersCatalog
{
    /// <summary>
    /// The library's default autoencoder anomaly detector with simple arguments. It trains without labels (the rows may
    /// contain anomalies) and adds <c>Score</c> (Single, higher = more anomalous) and <c>PredictedLabel</c> (Boolean),
    /// so <c>mlContext.AnomalyDetection.Evaluate</c> works on its output.
    /// </summary>
    /// <param name="catalog"><c>mlContext.AnomalyDetection.Trainers</c>.</param>
    /// <param name="featureColumnName">The feature column, a known-size vector of Single.</param>
    /// <param name="contamination">Expected fraction of anomalies: the threshold is the (1 − contamination) quantile of the training scores.</param>
    /// <param name="recipe">Tabular, image, or chosen from the data (<see cref="AnomalyRecipe.Auto"/>).</param>
    /// <param name="seed">Training seed; null takes it from <c>new MLContext(seed)</c>.</param>
    public static AutoencoderAnomalyTrainer Autoencoder(
        this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
        string featureColumnName = DefaultColumnNames.Features,
        double contamination = AnomalyScorer.DefaultContamination,
        AnomalyRecipe recipe = AnomalyRecipe.Auto,
        int? seed = null) =>
        Autoencoder(catalog, new AutoencoderAnomalyTrainer.Options { FeatureColumnName = featureColumnName, Contamination = contamination, Recipe = recipe, Seed = seed });

    /// <summary>The autoencoder anomaly detector with every setting (<see cref="AutoencoderAnomalyTrainer.Options"/>).</summary>
    /// <param name="catalog"><c>mlContext.AnomalyDetection.Trainers</c>.</param>
    /// <param name="options">The settings; checked now.</param>
    public static AutoencoderAnomalyTrainer Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog, AutoencoderAnomalyTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AutoencoderAnomalyTrainer(CatalogEnvironment.Of(catalog), options);
    }

    /// <summary>
    /// Fine-tunes <paramref name="pretrained"/>'s encoder with a classification head on the labeled rows (schedule:
    /// <see cref="FineTuningOptions"/>'s defaults). Output: <c>Score</c> (class probabilities) and <c>PredictedLabel</c>.
    /// </summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification.Trainers</c>.</param>
    /// <param name="pretrained">The pretrained autoencoder (not changed; fine-tuning works on a copy).</param>
    /// <param name="labelColumnName">Key-typed label column (<c>MapValueToKey</c>).</param>
    /// <param name="featureColumnName">Known-size <c>Vector&lt;Single&gt;</c> column of the model's input size.</param>
    /// <param name="unlabeledData">Unlabeled rows for the reconstruction regulariser (null: the labeled rows' features).</param>
    /// <param name="steps">Steps that train every layer after the head's warm-up.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderClassifierTrainer AutoencoderClassifier(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        AutoencoderModel pretrained,
        string labelColumnName = DefaultColumnNames.Label,
        string featureColumnName = DefaultColumnNames.Features,
        IDataView? unlabeledData = null,
        int steps = FineTuningOptions.Defaults.Steps,
        int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        return catalog.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Pretrained = pretrained,
            UnlabeledData = unlabeledData,
            FineTuning = new FineTuningOptions { Steps = steps },
            Seed = seed,
        });
    }

    /// <summary>The trainer with every setting (including pretraining an autoencoder first when <see cref="AutoencoderClassifierTrainer.Options.Pretrained"/> is null).</summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification.Trainers</c>.</param>
    /// <param name="options">The settings.</param>
    public static AutoencoderClassifierTrainer AutoencoderClassifier(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, AutoencoderClassifierTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AutoencoderClassifierTrainer(Autoencoders.ML.Transforms.CatalogEnvironment.Of(catalog), options);
    }
}

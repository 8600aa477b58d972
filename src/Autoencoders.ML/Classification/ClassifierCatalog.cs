using Microsoft.ML;

namespace Autoencoders.ML.Classification;

/// <summary>The fine-tuned autoencoder classifier on <c>mlContext.MulticlassClassification.Trainers</c>.</summary>
public static class ClassifierCatalog
{
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
        string labelColumnName = ClassifierColumns.Label,
        string featureColumnName = ClassifierColumns.Features,
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
        return new AutoencoderClassifierTrainer(Transforms.CatalogEnvironment.Of(catalog), options);
    }
}

using Autoencoders.ML.Transforms;
using Microsoft.ML;

namespace Autoencoders.ML.Anomaly;

/// <summary>The autoencoder anomaly detector on <c>mlContext.AnomalyDetection.Trainers</c>, beside ML.NET's <c>RandomizedPca</c>.</summary>
public static class AnomalyCatalog
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
        string featureColumnName = "Features",
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
}

using Autoencoders.ML.Kinds.Variational;

namespace Autoencoders.ML.Anomaly;

/// <summary>Which trained detector <see cref="AnomalyScorer.Train"/> builds: the measured default for tabular columns or for images.</summary>
public enum AnomalyRecipe
{
    /// <summary>
    /// <see cref="Image"/> when the training rows are images (a square number of at least 64 values, all in [0, 1]: the
    /// rule the mixture VAE's recipe shares), else <see cref="Tabular"/>.
    /// </summary>
    Auto,

    /// <summary>
    /// Columns in mixed units, anomalies possibly among the training rows: robust scaling (median / IQR), a VAE with one
    /// hidden layer of 64 and a code of max(2, d/4) (at most d − 1), 20 epochs; score = average of the training CDFs of
    /// the negative ELBO and of the distance to the 5th nearest scaled training row. Chosen by a rule fixed before its
    /// runs over 22 ODDS/ADBench tables at three seeds, leave-one-table-out: mean AUROC 0.761 against IsolationForest's
    /// 0.757 in the same run (docs/anomaly-defaults.md, round 3).
    /// </summary>
    Tabular,

    /// <summary>
    /// Pixels in [0, 1], one unit for every value: no scaling, a plain autoencoder with hidden layers 512 and 128 and a
    /// code of 32 (the CLI's default architecture), 20 epochs; score = the squared reconstruction error's CDF among the
    /// training rows' (chosen on held-out MNIST training images, docs/benchmarks.md).
    /// </summary>
    Image,
}

/// <summary>The settings behind each <see cref="AnomalyRecipe"/>, written once.</summary>
internal static class AnomalyRecipes
{
    /// <summary>Epochs of both recipes.</summary>
    public const int Epochs = 20;

    /// <summary>Rows per training step of both recipes.</summary>
    public const int BatchSize = 128;

    /// <summary>Resolves <see cref="AnomalyRecipe.Auto"/> from the training rows (other values are returned as they are).</summary>
    /// <param name="recipe">The requested recipe.</param>
    /// <param name="rows">The training rows.</param>
    public static AnomalyRecipe Resolve(AnomalyRecipe recipe, IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (recipe != AnomalyRecipe.Auto)
        {
            return recipe;
        }

        bool image = rows.Count > 0 && ImageRows.AreImages(rows[0].Length, rows);
        return image ? AnomalyRecipe.Image : AnomalyRecipe.Tabular;
    }

    /// <summary>The architecture of a recipe for rows of <paramref name="width"/> features.</summary>
    /// <param name="recipe"><see cref="AnomalyRecipe.Tabular"/> or <see cref="AnomalyRecipe.Image"/>.</param>
    /// <param name="width">Number of features (at least 2).</param>
    public static AutoencoderOptions ModelOptions(AnomalyRecipe recipe, int width) => recipe switch
    {
        AnomalyRecipe.Tabular => new VariationalAutoencoderOptions
        {
            HiddenSizes = new[] { 64 },
            LatentSize = Math.Min(width - 1, Math.Max(2, width / 4)),
        },
        AnomalyRecipe.Image => new AutoencoderOptions
        {
            HiddenSizes = new[] { 512, 128 },
            LatentSize = Math.Min(width - 1, 32),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(recipe), recipe, "Resolve Auto first (AnomalyRecipes.Resolve)."),
    };

    /// <summary>The training of both recipes: 20 epochs, batch 128, Adam 1e-3, no scaling inside the model.</summary>
    /// <param name="seed">Training seed.</param>
    /// <param name="threads">Threads torch may use; null keeps torch's setting.</param>
    public static TrainingOptions TrainingOptions(int seed = 0, int? threads = null) => new()
    {
        Epochs = Epochs,
        BatchSize = BatchSize,
        LearningRate = 1e-3,
        Seed = seed,
        Threads = threads,
    };

    /// <summary>Why <see cref="Resolve"/> gave <paramref name="resolved"/>: a sentence for model files and summaries.</summary>
    /// <param name="requested">The recipe asked for (Auto or not).</param>
    /// <param name="resolved">The resolved recipe.</param>
    public static string Reason(AnomalyRecipe requested, AnomalyRecipe resolved) => (requested, resolved) switch
    {
        (AnomalyRecipe.Auto, AnomalyRecipe.Image) => "chosen automatically: " + ImageRows.Describe(true),
        (AnomalyRecipe.Auto, _) => "chosen automatically: " + ImageRows.Describe(false),
        _ => "requested",
    };

    /// <summary>Whether the recipe scales robustly (median / IQR) before the model.</summary>
    /// <param name="recipe">A resolved recipe.</param>
    public static bool UsesRobustScaling(AnomalyRecipe recipe) => recipe == AnomalyRecipe.Tabular;

    /// <summary>k of the input-space kNN part of the recipe's score (distance to the k-th nearest scaled training row); 0 for none.</summary>
    /// <param name="recipe">A resolved recipe.</param>
    public static int InputNeighbours(AnomalyRecipe recipe) => recipe == AnomalyRecipe.Tabular ? AnomalyScorer.DefaultNeighbours : 0;

    /// <summary>Whether the recipe's robust scaling ends with the signed logarithm (<see cref="RobustScaling.SignedLog"/>).</summary>
    /// <param name="recipe">A resolved recipe.</param>
    public static bool UsesSignedLog(AnomalyRecipe recipe) => false;

    /// <summary>k of the latent kNN part of the recipe's score; 0 for none.</summary>
    /// <param name="recipe">A resolved recipe.</param>
    /// <remarks>0 for both recipes: every tabular candidate with robust scaling and the latent part failed the library's planted-outlier check at some seed (docs/anomaly-defaults.md, round 3).</remarks>
    public static int Neighbours(AnomalyRecipe recipe) => 0;
}

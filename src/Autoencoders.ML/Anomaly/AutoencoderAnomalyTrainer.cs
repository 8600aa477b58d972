using Autoencoders.ML.Anomaly.Internal;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Anomaly;

/// <summary>
/// Trains the library's default anomaly detector (<see cref="AnomalyScorer.Train"/>: the recipe measured in
/// docs/anomaly-experiments.md and docs/benchmarks.md) on a feature column, without labels, and returns an
/// <see cref="AutoencoderAnomalyTransformer"/> that adds <c>Score</c> and <c>PredictedLabel</c>. Create it with
/// <c>mlContext.AnomalyDetection.Trainers.Autoencoder(...)</c>.
/// </summary>
/// <remarks>
/// | | |
/// |---|---|
/// | Does this estimator need to look at the data to train its parameters? | Yes (all rows are read into memory) |
/// | Input column data type | Known-size vector of <see cref="float"/>, finite values |
/// | Output column data type | <c>Score</c>: <see cref="float"/>; <c>PredictedLabel</c>: <see cref="bool"/> |
/// | Exportable to ONNX | Yes: <see cref="AutoencoderAnomalyTransformer.ExportOnnx"/> writes <c>anomaly.onnx</c>, and <c>mlContext.Model.Save</c> embeds the graph |
/// </remarks>
public sealed class AutoencoderAnomalyTrainer : IEstimator<AutoencoderAnomalyTransformer>
{
    /// <summary>Default name of the score column, as ML.NET's anomaly detectors name it.</summary>
    public const string DefaultScoreColumnName = DefaultColumnNames.Score;

    /// <summary>Default name of the predicted-label column, as ML.NET's anomaly detectors name it.</summary>
    public const string DefaultPredictedLabelColumnName = DefaultColumnNames.PredictedLabel;

    private readonly IHostEnvironment environment;
    private readonly Options options;
    private readonly int seed;

    internal AutoencoderAnomalyTrainer(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.environment = environment;
        this.options = options;
        seed = CatalogEnvironment.Seed(environment, options.Seed);
    }

    /// <summary>Every setting of the trainer.</summary>
    public sealed class Options
    {
        /// <summary>The feature column (known-size vector of Single).</summary>
        public string FeatureColumnName { get; set; } = DefaultColumnNames.Features;

        /// <summary>The score column added.</summary>
        public string ScoreColumnName { get; set; } = DefaultScoreColumnName;

        /// <summary>The predicted-label column added.</summary>
        public string PredictedLabelColumnName { get; set; } = DefaultPredictedLabelColumnName;

        /// <summary>Tabular, image, or chosen from the data (default; see <see cref="AnomalyRecipe.Auto"/>).</summary>
        public AnomalyRecipe Recipe { get; set; } = AnomalyRecipe.Auto;

        /// <summary>
        /// Expected fraction of anomalies, in [0, 1): the threshold is the (1 − fraction) quantile of the training rows'
        /// scores, or of <see cref="ValidationData"/>'s when given.
        /// </summary>
        public double Contamination { get; set; } = AnomalyScorer.DefaultContamination;

        /// <summary>An explicit threshold on the score (overrides <see cref="Contamination"/>); null to derive it.</summary>
        public double? Threshold { get; set; }

        /// <summary>Rows (same feature column) whose score quantile sets the threshold; null uses the training rows.</summary>
        public IDataView? ValidationData { get; set; }

        /// <summary>Seed of training; null takes it from <c>new MLContext(seed)</c>.</summary>
        public int? Seed { get; set; }

        /// <summary>Threads torch may use while training (process-wide); null keeps torch's setting.</summary>
        public int? Threads { get; set; }

        /// <summary>Receives one <see cref="EpochReport"/> per epoch of the detector's autoencoder, on the training thread (the type every trainer of this library takes).</summary>
        public IProgress<EpochReport>? Progress { get; set; }

        /// <summary>Cancels training (checked before every step).</summary>
        public System.Threading.CancellationToken CancellationToken { get; set; }

        /// <summary>Rows per ONNX Runtime call when scoring, at most: the neighbour search holds rows × training rows × the searched width floats per call (the feature count for the tabular recipe's input-space part), so fewer rows go per call where that would pass 128 MiB.</summary>
        public int ScoringBatchSize { get; set; } = 256;

        internal void Validate()
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(FeatureColumnName, nameof(FeatureColumnName));
            ArgumentException.ThrowIfNullOrWhiteSpace(ScoreColumnName, nameof(ScoreColumnName));
            ArgumentException.ThrowIfNullOrWhiteSpace(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
            OptionChecks.DistinctColumns(
                (FeatureColumnName, nameof(FeatureColumnName)), (ScoreColumnName, nameof(ScoreColumnName)), (PredictedLabelColumnName, nameof(PredictedLabelColumnName)));

            OptionChecks.Require(Contamination >= 0 && Contamination < 1, nameof(Contamination), Contamination, "Contamination must be in [0, 1): the expected fraction of anomalies.");

            if (Threshold is double t && double.IsNaN(t))
            {
                throw new ArgumentOutOfRangeException(nameof(Threshold), t, "The threshold must be a number.");
            }

            OptionChecks.Require(ScoringBatchSize > 0, nameof(ScoringBatchSize), ScoringBatchSize, "ScoringBatchSize must be positive (rows per ONNX Runtime call, 256 by default).");
        }
    }

    /// <summary>Reads the feature column, trains the detector and fits the threshold.</summary>
    /// <param name="input">Training rows (labels, if any, are not read; anomalies among them are expected).</param>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or not a known-size vector of Single.</exception>
    /// <exception cref="ArgumentException">Too few rows or features, or a NaN/∞ value (the row is named).</exception>
    public AutoencoderAnomalyTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rows = ReadRows(input, "training");
        CheckValidationSchema(rows[0].Length);
        // Training logs go to the user's environment; the run's own context only carries the seed.
        var scorer = AnomalyScorer.TrainLogged(new MLContext(seed), environment, rows, seed, options.Contamination, options.Threads, options.Recipe, options.Progress, options.CancellationToken);
        var shared = new SharedScorer(scorer, owns: true);
        var transformer = new AutoencoderAnomalyTransformer(
            shared, options.FeatureColumnName, options.ScoreColumnName, options.PredictedLabelColumnName, options.Threshold ?? scorer.Threshold,
            options.Threshold == null ? options.Contamination : null, options.ScoringBatchSize, scoringThreads: null);
        if (options.Threshold != null || options.ValidationData == null)
        {
            return transformer;
        }

        using (transformer)
        {
            // The quantile of the validation rows' scores, computed by the same graph that scores them later.
            var scores = transformer.Transform(options.ValidationData).GetColumn<float>(options.ScoreColumnName).Select(v => (double)v).ToArray();
            if (scores.Length == 0)
            {
                throw new ArgumentException("ValidationData has no rows; give rows to set the threshold from, or leave it null.", nameof(options));
            }

            return transformer.WithDerivedThreshold(AutoencoderAnomalyTransformer.ThresholdFor(scores, options.Contamination), options.Contamination);
        }
    }

    /// <summary>Checks the feature column and returns the shape with <c>Score</c> (Single) and <c>PredictedLabel</c> (Boolean) added.</summary>
    /// <param name="inputSchema">The shape of the data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaShapes.CheckVectorOfSingle(inputSchema, options.FeatureColumnName, "input");
        return SchemaShapes.Append(
            inputSchema, new (string, DataViewType)[] { (options.ScoreColumnName, NumberDataViewType.Single), (options.PredictedLabelColumnName, BooleanDataViewType.Instance) });
    }

    private void CheckValidationSchema(int width)
    {
        if (options.ValidationData is { } validation)
        {
            FeatureColumn.GetVectorSize(validation.Schema, options.FeatureColumnName, "validation input", width, "the training size", nameof(options));
        }
    }

    private float[][] ReadRows(IDataView data, string what)
    {
        FeatureColumn.GetVectorSize(data.Schema, options.FeatureColumnName, "input");
        var rows = data.GetColumn<float[]>(options.FeatureColumnName).ToArray();
        if (rows.Length == 0)
        {
            throw new ArgumentException($"The {what} data has no rows.", nameof(data));
        }

        return rows;
    }
}

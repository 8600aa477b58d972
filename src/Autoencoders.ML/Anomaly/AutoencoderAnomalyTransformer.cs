using System.IO;
using Autoencoders.ML.Anomaly.Internal;
using Autoencoders.ML.IO;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Anomaly;

/// <summary>
/// A fitted autoencoder anomaly detector as an ML.NET transform: adds <c>Score</c> (Single, in [0, 1], higher = more
/// anomalous) and <c>PredictedLabel</c> (Boolean, score &gt; <see cref="Threshold"/>), the columns ML.NET's anomaly
/// detectors produce, so <c>mlContext.AnomalyDetection.Evaluate</c> works on its output. Made by
/// <c>mlContext.AnomalyDetection.Trainers.Autoencoder(...)</c>.
/// </summary>
/// <remarks>
/// <para>The score is computed by one ONNX graph (<see cref="AnomalyOnnx"/>), the same one <see cref="ExportOnnx"/>
/// writes as <c>anomaly.onnx</c>, scored in batches by ONNX Runtime like the library's other transforms (thread-safe,
/// row by row for <see cref="PredictionEngine{TSrc, TDst}"/>); ML.NET's own type conversion then turns the flag into
/// the Boolean label. A row of the wrong length or holding NaN/∞ is an <see cref="InvalidOperationException"/> naming
/// the column and row.</para>
/// <para>Saving and reloading work as for every <see cref="ScoringTransformer"/>: <c>mlContext.Model.LoadAutoencoderPipeline</c>
/// gives this detector back with its scorer, threshold and contamination; after a stock <c>mlContext.Model.Load</c>,
/// <c>Score</c> is a <c>Vector&lt;Single, 1&gt;</c> holding the same value.</para>
/// <para>The threshold can change after fitting without retraining: <see cref="WithThreshold"/> and
/// <see cref="WithContamination"/> return a new transform sharing the trained model.</para>
/// </remarks>
public sealed class AutoencoderAnomalyTransformer : ScoringTransformer
{
    private const string SettingsFile = "anomaly_detector.json";

    private readonly SharedScorer shared;
    private readonly int? scoringThreads;

    internal AutoencoderAnomalyTransformer(
        SharedScorer shared, string featureColumnName, string scoreColumnName, string predictedLabelColumnName, double threshold, double? contamination,
        int scoringBatchSize, int? scoringThreads)
        : base(
            Describe(shared.Scorer, featureColumnName, scoreColumnName, FlagColumn(predictedLabelColumnName), threshold),
            AnomalyScorer.BoundedScoringBatch(scoringBatchSize, shared.Scorer.ReferenceFloats), scoringThreads,
            FlagToBoolean(FlagColumn(predictedLabelColumnName), predictedLabelColumnName), shared)
    {
        this.shared = shared;
        this.scoringThreads = scoringThreads;
        FeatureColumnName = featureColumnName;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        Threshold = threshold;
        Contamination = contamination;
    }

    /// <summary>The fitted score (model, training statistics). Its own <see cref="AnomalyScorer.Threshold"/> is not this transform's.</summary>
    internal AnomalyScorer Scorer => shared.Scorer;

    /// <summary>Rows scoring strictly above this value get PredictedLabel = true.</summary>
    public double Threshold { get; }

    /// <summary>
    /// The expected fraction of anomalies <see cref="Threshold"/> was derived from (the quantile of the training or
    /// validation rows' scores); null when the threshold was given directly (<see cref="WithThreshold"/>).
    /// </summary>
    public double? Contamination { get; }

    /// <summary>The feature column read (known-size vector of Single).</summary>
    public string FeatureColumnName { get; }

    /// <summary>The score column added (Single).</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted-label column added (Boolean).</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>The same detector with another threshold (no retraining; the model is shared).</summary>
    /// <param name="threshold">Rows scoring strictly above it are anomalies.</param>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is NaN.</exception>
    public AutoencoderAnomalyTransformer WithThreshold(double threshold) => WithDerivedThreshold(threshold, contamination: null);

    /// <summary>The same detector with the threshold at the (1 − <paramref name="contamination"/>) quantile of the training rows' scores.</summary>
    /// <param name="contamination">Expected fraction of anomalies, in [0, 1).</param>
    public AutoencoderAnomalyTransformer WithContamination(double contamination) =>
        WithDerivedThreshold(ThresholdFor(Scorer.TrainingScores, contamination), contamination);

    /// <summary>Writes the anomaly graph (<c>features</c> → <c>score</c>, this transform's threshold in the metadata) to <paramref name="path"/>.</summary>
    /// <param name="path">The file, e.g. <c>anomaly.onnx</c>; its directory must exist.</param>
    public void ExportOnnx(string path)
    {
        ThrowIfDisposed();
        Scorer.ExportOnnx(path, Threshold);
    }

    /// <summary>
    /// Saves the detector as a model folder (or a <c>.zip</c>): its scorer (<see cref="AnomalyScorer.Save"/>, with
    /// <c>anomaly.onnx</c> at this transform's threshold) and <c>anomaly_detector.json</c> (columns, threshold,
    /// contamination, batch size), all under the manifest's checksums. <see cref="Load"/> reads it back.
    /// </summary>
    /// <param name="path">The folder (created if needed; an existing model folder is replaced atomically) or a <c>.zip</c> file.</param>
    public void Save(string path)
    {
        ThrowIfDisposed();
        Scorer.SaveWith(path, Threshold, new[] { (SettingsFile, System.Text.Encoding.UTF8.GetBytes(SavedDescription!.Entry().Value)) });
    }

    /// <summary>Loads a detector saved with <see cref="Save"/> (the folder or the <c>.zip</c>); disposing it disposes its model.</summary>
    /// <param name="path">The folder or zip.</param>
    /// <returns>The detector: same columns, threshold, contamination and scores as the one saved.</returns>
    /// <exception cref="InvalidDataException">A file is missing, damaged or changed; the message names the model and the file.</exception>
    public static AutoencoderAnomalyTransformer Load(string path)
    {
        var (scorer, extra) = AnomalyScorer.LoadWith(path, new[] { SettingsFile });
        try
        {
            string source = $"{path}!{SettingsFile}";
            var saved = SavedTransform.FromJson(System.Text.Encoding.UTF8.GetString(extra[0]), source);
            if (saved.Transform != nameof(AutoencoderAnomalyTransformer))
            {
                throw new InvalidDataException($"'{source}' describes a '{saved.Transform}', not an anomaly detector. Load it with the type that saved it.");
            }

            return FromSettings(saved, new SharedScorer(scorer, owns: true), source);
        }
        catch
        {
            scorer.Dispose();
            throw;
        }
    }

    /// <summary>The (1 − contamination) quantile of <paramref name="scores"/>.</summary>
    internal static double ThresholdFor(IReadOnlyList<double> scores, double contamination)
    {
        if (!(contamination >= 0 && contamination < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(contamination), contamination, "Contamination must be in [0, 1): the expected fraction of anomalies.");
        }

        return AnomalyMath.SortedQuantile(scores.OrderBy(v => v).ToArray(), 1 - contamination);
    }

    /// <summary>The same detector with another threshold, derived from <paramref name="contamination"/> when given.</summary>
    internal AutoencoderAnomalyTransformer WithDerivedThreshold(double threshold, double? contamination)
    {
        ThrowIfDisposed();
        if (double.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a number.");
        }

        return new AutoencoderAnomalyTransformer(
            shared.AddReference(), FeatureColumnName, ScoreColumnName, PredictedLabelColumnName, threshold, contamination, ScoringBatchSize, scoringThreads);
    }

    /// <summary>The detector a saved pipeline's graph describes (see <see cref="SavedTransform.RestoreTask"/>).</summary>
    internal static AutoencoderAnomalyTransformer Restore(SavedTransform saved, AutoencoderModel model, global::Onnx.ModelProto graph, string source)
    {
        string json = EmbeddedModel.Value(graph, OnnxNames.AnomalyScorerKey) ?? throw EmbeddedModel.Missing(source, OnnxNames.AnomalyScorerKey);
        var scorer = AnomalyScorer.Restore(model, AnomalyScorerState.FromJson(json, model, source), ownsModel: true);
        return FromSettings(saved, new SharedScorer(scorer, owns: true), source);
    }

    private static AutoencoderAnomalyTransformer FromSettings(SavedTransform saved, SharedScorer shared, string source) => new(
        shared,
        saved.InputColumn,
        saved.Require(saved.ScoreColumn, nameof(saved.ScoreColumn), source),
        saved.Require(saved.PredictedLabelColumn, nameof(saved.PredictedLabelColumn), source),
        saved.Require(saved.Threshold, nameof(saved.Threshold), source),
        saved.Contamination,
        saved.ScoringBatchSize,
        scoringThreads: null);

    private protected override AutoencoderModel SavedModel => Scorer.Model;

    private protected override (string Key, string Value)? SavedState => (OnnxNames.AnomalyScorerKey, Scorer.State().ToJson());

    private protected override SavedTransform Saved => new()
    {
        ScoreColumn = ScoreColumnName,
        PredictedLabelColumn = PredictedLabelColumnName,
        Threshold = Threshold,
        Contamination = Contamination,
    };

    private static string FlagColumn(string predictedLabelColumnName) => predictedLabelColumnName + ".anomaly_flag";

    private static ScoringGraph Describe(AnomalyScorer scorer, string inputColumnName, string scoreColumnName, string flagColumnName, double threshold)
    {
        var outputs = new[]
        {
            new ScoredColumn(scoreColumnName, OnnxNames.AnomalyScore, 1, IsScalar: true),
            new ScoredColumn(flagColumnName, OnnxNames.IsAnomaly, 1, IsScalar: true),
        };
        return new ScoringGraph(
            inputColumnName, "input", OnnxNames.Features, scorer.Model.InputSize, "the size the detector was trained on", outputs,
            (rename, perRow) => AnomalyOnnxGraph.Build(scorer, threshold, new[] { OnnxNames.AnomalyScore, OnnxNames.IsAnomaly }, rename, perRow));
    }

    // ML.NET's own conversion (non-zero → true) and a drop of the temporary flag: both save and load without this library.
    private static ITransformer FlagToBoolean(string flag, string predictedLabel)
    {
        var ml = new MLContext();
        return FitStages(ml, ml.Transforms.Conversion.ConvertType(predictedLabel, flag, DataKind.Boolean).Append(ml.Transforms.DropColumns(flag)), flag);
    }
}

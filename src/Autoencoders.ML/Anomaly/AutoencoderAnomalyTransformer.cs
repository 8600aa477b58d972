using System.Threading;
using Autoencoders.ML.Anomaly.Internal;
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
/// row by row for <see cref="PredictionEngine{TSrc, TDst}"/>). A row of the wrong length or holding NaN/∞ is an
/// <see cref="InvalidOperationException"/> naming the column and row.</para>
/// <para><c>mlContext.Model.Save</c> stores it as ML.NET's own OnnxTransformer (graph embedded) followed by a type
/// conversion of the flag to Boolean, so the saved pipeline loads without this library; after loading, <c>Score</c> is
/// a <c>Vector&lt;Single, 1&gt;</c> holding the same value (an OnnxTransformer cannot emit a scalar).</para>
/// <para>The threshold can change after fitting without retraining: <see cref="WithThreshold"/> and
/// <see cref="WithContamination"/> return a new transform sharing the trained model.</para>
/// </remarks>
public sealed class AutoencoderAnomalyTransformer : ITransformer, IDisposable
{
    private readonly SharedScorer shared;
    private readonly AnomalyScoreTransformer scoring;
    private readonly TransformerChain<ITransformer> chain;
    private int disposed;

    internal AutoencoderAnomalyTransformer(SharedScorer shared, string featureColumnName, string scoreColumnName, string predictedLabelColumnName, double threshold, int scoringBatchSize, int? scoringThreads)
    {
        this.shared = shared;
        FeatureColumnName = featureColumnName;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        Threshold = threshold;
        ScoringBatchSize = scoringBatchSize;
        ScoringThreads = scoringThreads;
        string flag = predictedLabelColumnName + ".anomaly_flag";
        scoring = new AnomalyScoreTransformer(shared.Scorer, featureColumnName, scoreColumnName, flag, threshold, scoringBatchSize, scoringThreads);
        chain = new TransformerChain<ITransformer>(scoring, FlagToBoolean(flag, predictedLabelColumnName));
    }

    /// <summary>The fitted score (model, training statistics). Its own <see cref="AnomalyScorer.Threshold"/> is not this transform's.</summary>
    public AnomalyScorer Scorer => shared.Scorer;

    /// <summary>Rows scoring strictly above this value get PredictedLabel = true.</summary>
    public double Threshold { get; }

    /// <summary>The feature column read (known-size vector of Single).</summary>
    public string FeatureColumnName { get; }

    /// <summary>The score column added (Single).</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted-label column added (Boolean).</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>Rows per ONNX Runtime call.</summary>
    public int ScoringBatchSize { get; }

    private int? ScoringThreads { get; }

    /// <summary>Always true: works row by row (PredictionEngine).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The same detector with another threshold (no retraining; the model is shared).</summary>
    /// <param name="threshold">Rows scoring strictly above it are anomalies.</param>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is NaN.</exception>
    public AutoencoderAnomalyTransformer WithThreshold(double threshold)
    {
        ThrowIfDisposed();
        if (double.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a number.");
        }

        return new AutoencoderAnomalyTransformer(shared.AddReference(), FeatureColumnName, ScoreColumnName, PredictedLabelColumnName, threshold, ScoringBatchSize, ScoringThreads);
    }

    /// <summary>The same detector with the threshold at the (1 − <paramref name="contamination"/>) quantile of the training rows' scores.</summary>
    /// <param name="contamination">Expected fraction of anomalies, in [0, 1).</param>
    public AutoencoderAnomalyTransformer WithContamination(double contamination) => WithThreshold(ThresholdFor(Scorer.TrainingScores, contamination));

    /// <summary>Writes the anomaly graph (<c>features</c> → <c>score</c>, this transform's threshold in the metadata) to <paramref name="path"/>.</summary>
    /// <param name="path">The file, e.g. <c>anomaly.onnx</c>; its directory must exist.</param>
    public void ExportOnnx(string path)
    {
        ThrowIfDisposed();
        Scorer.ExportOnnx(path, Threshold);
    }

    /// <summary>Checks the feature column and returns the schema with <c>Score</c> and <c>PredictedLabel</c> added.</summary>
    /// <param name="inputSchema">The schema of the data to transform.</param>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or has the wrong type or size.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return chain.GetOutputSchema(inputSchema);
    }

    /// <summary>A lazily scored view (scored in batches when read).</summary>
    /// <param name="input">The data to score.</param>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        return chain.Transform(input);
    }

    /// <summary>The per-row mapper that <see cref="PredictionEngine{TSrc, TDst}"/> uses.</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return ((ITransformer)chain).GetRowToRowMapper(inputSchema);
    }

    /// <summary>Saves as ML.NET's OnnxTransformer plus a Boolean conversion (see remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ThrowIfDisposed();
        ((ICanSaveModel)chain).Save(ctx);
    }

    /// <summary>Releases the ONNX Runtime session and, with the last transform sharing it, a model the trainer made.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        scoring.Dispose();
        shared.Release();
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

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);

    // ML.NET's own conversion (non-zero → true) and a drop of the temporary flag: both save and load without this library.
    private static ITransformer FlagToBoolean(string flag, string predictedLabel)
    {
        var ml = new MLContext();
        var schema = SchemaDefinition.Create(typeof(FlagRow));
        schema[nameof(FlagRow.Flag)].ColumnName = flag;
        var template = ml.Data.LoadFromEnumerable(new[] { new FlagRow() }, schema);
        return ml.Transforms.Conversion.ConvertType(predictedLabel, flag, DataKind.Boolean)
            .Append(ml.Transforms.DropColumns(flag))
            .Fit(template);
    }

    private sealed class FlagRow
    {
        public float Flag { get; set; }
    }
}

using System.Threading;
using Microsoft.ML;
using Autoencoders.ML.IO;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The base of every transform here that runs an ONNX graph over one known-size <c>Vector&lt;Single&gt;</c> column
/// (encode / reconstruct / error, decode, and the heads of other model kinds). A subclass only describes its graph —
/// which input column and size, which output columns, how to build the batched and one-row graphs — and the base does
/// the rest: the ONNX Runtime session, the batched <see cref="IDataView"/>, the row mapper behind
/// <see cref="PredictionEngine{TSrc, TDst}"/>, input checks, portable saving and disposal.
/// </summary>
/// <remarks>
/// <para><b>Scoring.</b> <see cref="Transform"/> is lazy; a cursor reads <see cref="ScoringBatchSize"/> rows ahead and
/// scores them in one ONNX Runtime call. A <see cref="PredictionEngine{TSrc, TDst}"/> scores one row per call. Both are
/// safe to use from several threads at once and give the same values.</para>
/// <para><b>Bad rows.</b> A row whose vector does not have the column's declared length (for example a
/// PredictionEngine input array of the wrong length), or that holds a NaN or ±∞, is an
/// <see cref="InvalidOperationException"/> naming the column, the row and what was found; nothing is scored with
/// values it does not have. Impute missing values first (<c>mlContext.Transforms.ReplaceMissingValues</c>). (After
/// a stock <c>mlContext.Model.Load</c> the stage is ML.NET's OnnxTransformer, which has its own rules.)</para>
/// <para><b>Saving.</b> <c>mlContext.Model.Save</c> stores the transform as ML.NET's own OnnxTransformer with the
/// graph embedded, and the whole model (architecture, options, history, weights) and the transform's columns in that
/// graph's metadata. <c>mlContext.Model.LoadAutoencoderPipeline</c> gives this transform back — same type, same
/// columns (a scalar stays a scalar), batched scoring, the full <see cref="AutoencoderModel"/>. Stock
/// <c>mlContext.Model.Load</c> still loads the pipeline in any application that references
/// Microsoft.ML.OnnxTransformer — this assembly is not needed — with the same values (a scalar column comes back as a
/// one-element vector).</para>
/// <para><b>Disposal.</b> <see cref="Dispose()"/> releases the ONNX Runtime session. It waits for scoring calls under
/// way on other threads; afterwards every use — of the transform, of views and prediction engines made from it —
/// throws <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public abstract class ScoringTransformer : ITransformer, IDisposable
{
    private readonly OnnxColumnMapper mapper;
    private int disposed;

    private protected ScoringTransformer(ScoringGraph graph, int scoringBatchSize, int? scoringThreads, string? ownerName = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ScoringBatchSize = scoringBatchSize;
        mapper = new OnnxColumnMapper(graph, scoringBatchSize, scoringThreads, ownerName ?? GetType().Name);
    }

    /// <summary>
    /// The default rows per ONNX Runtime call of every transform here (the anomaly detector's is smaller, see
    /// <c>AutoencoderAnomalyTrainer.Options.ScoringBatchSize</c>).
    /// </summary>
    public const int DefaultScoringBatchSize = 512;

    /// <summary>Rows per ONNX Runtime call when transforming an <see cref="IDataView"/>.</summary>
    public int ScoringBatchSize { get; }

    /// <summary>Always true: the transform works row by row too (PredictionEngine).</summary>
    public bool IsRowToRowMapper => true;

    private protected ScoringGraph Graph => mapper.Graph;

    /// <summary>
    /// What <c>mlContext.Model.LoadAutoencoderPipeline</c> needs to rebuild this transform (its model aside); null for a
    /// transform that reloads as ML.NET's ONNX transform only.
    /// </summary>
    private protected virtual SavedTransform? Saved => null;

    /// <summary>The model behind the transform, kept whole in the saved pipeline (null with <see cref="Saved"/>).</summary>
    private protected virtual AutoencoderModel? SavedModel => null;

    /// <summary>
    /// The metadata entries the saved graph carries for <c>LoadAutoencoderPipeline</c>, given whether the saved form
    /// replaces its input column: by default <see cref="Saved"/> and <see cref="SavedModel"/>'s entries; a task's
    /// scorer adds the task's own state.
    /// </summary>
    private protected virtual IEnumerable<(string Key, string Value)> SavedEntries(bool inPlace) =>
        Saved is { } saved && SavedModel is { } model
            ? new[] { (saved with { InPlace = inPlace }).Entry() }.Concat(EmbeddedModel.Entries(model))
            : Enumerable.Empty<(string Key, string Value)>();

    /// <summary>
    /// Checks the input column (present, known-size vector of Single of the size the graph expects) and returns the
    /// input schema with the output columns appended (an output replaces an input column of the same name).
    /// </summary>
    /// <param name="inputSchema">The schema of the data to transform.</param>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or has the wrong type or size; the message names it.</exception>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return mapper.GetOutputSchema(inputSchema);
    }

    /// <summary>Returns a lazily scored view: checked against the schema now, scored when a cursor reads it.</summary>
    /// <param name="input">The data to transform.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type or size.</exception>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        return new ScoredDataView(input, mapper);
    }

    /// <summary>The per-row mapper that <see cref="PredictionEngine{TSrc, TDst}"/> uses.</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type or size.</exception>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        return new ScoredRowMapper(inputSchema, mapper);
    }

    /// <summary>Saves as ML.NET's ONNX transform (see remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ThrowIfDisposed();
        PortableOnnxTransform.Save(Graph, SavedEntries, ctx);
    }

    /// <summary>Releases ONNX Runtime's session (after the scoring calls under way end) and what the subclass owns. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Called once by <see cref="Dispose()"/>: releases the session; a subclass adds what it owns and calls this.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        mapper.Dispose();
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> if <see cref="Dispose()"/> was called.</summary>
    private protected void ThrowIfDisposed() => mapper.Scorer.ThrowIfDisposed();
}

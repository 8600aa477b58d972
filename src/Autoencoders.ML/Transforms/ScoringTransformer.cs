using System.Threading;
using Autoencoders.ML.IO;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The base of every transform here: an ONNX graph over one known-size <c>Vector&lt;Single&gt;</c> column (encode /
/// reconstruct / error, decode, the heads of other model kinds) scored in batches, followed, for a task (anomaly
/// detector, classifier, clusters), by ML.NET's own stages (a type conversion, a key mapping, a drop), as one
/// <see cref="ITransformer"/>. A subclass only describes its graph — which input column and size, which output columns,
/// how to build the batched and one-row graphs —, its ML.NET stages and what it saves; the base does the rest: the
/// ONNX Runtime session, the batched <see cref="IDataView"/>, the row mapper behind
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
/// graph embedded, and the whole model (architecture, options, history, weights), the transform's columns and
/// settings and a task's fitted state in that graph's metadata under a SHA-256 checksum, followed by a task's ML.NET
/// stages. <c>mlContext.Model.LoadAutoencoderPipeline</c> gives this transform back — same type, same columns (a scalar
/// stays a scalar), values and settings, batched scoring, the full <see cref="AutoencoderModel"/>; a changed byte of
/// what it reads is refused with an error naming the file and entry. Stock <c>mlContext.Model.Load</c> still loads the
/// pipeline in any application that references Microsoft.ML.OnnxTransformer — this assembly is not needed — with the
/// same values (a scalar column comes back as a one-element vector: ML.NET's OnnxTransformer cannot emit a
/// scalar).</para>
/// <para><b>Disposal.</b> <see cref="Dispose()"/> releases the ONNX Runtime session and what the transform owns. It
/// waits for scoring calls under way on other threads; afterwards every use — of the transform, of views and
/// prediction engines made from it — throws <see cref="ObjectDisposedException"/>, also when a task's ML.NET stages read
/// the scores on worker threads (their wrapper exception is taken off).</para>
/// </remarks>
public abstract class ScoringTransformer : ITransformer, IDisposable
{
    private readonly OnnxColumnMapper mapper;
    private readonly IDisposable? owned;

    // The graph's stage, followed by a task's ML.NET stages when there are any: every ITransformer call goes through it.
    private readonly ITransformer pipeline;
    private int disposed;

    /// <summary>
    /// A transform running <paramref name="graph"/> in batches of <paramref name="scoringBatchSize"/>, then
    /// <paramref name="stages"/> (a task's) if given; <paramref name="owned"/>, if given, is disposed with the transform.
    /// </summary>
    private protected ScoringTransformer(ScoringGraph graph, int scoringBatchSize, int? scoringThreads, ITransformer? stages = null, IDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ScoringBatchSize = scoringBatchSize;
        this.owned = owned;
        mapper = new OnnxColumnMapper(graph, scoringBatchSize, scoringThreads, GetType().Name);
        var graphStage = new GraphStage(this);
        pipeline = stages is null ? graphStage : new TransformerChain<ITransformer>(graphStage, stages);
        IsTask = stages is not null;
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

    /// <summary>True for a task (a graph followed by ML.NET stages), which owns its model and saves its fitted state.</summary>
    internal bool IsTask { get; }

    private protected ScoringGraph Graph => mapper.Graph;

    /// <summary>
    /// What <c>mlContext.Model.LoadAutoencoderPipeline</c> needs to rebuild this transform besides its model and what
    /// every transform saves (<see cref="SavedDescription"/> adds that): the subclass's own columns and settings; null
    /// for a transform that reloads as ML.NET's ONNX transform only.
    /// </summary>
    private protected virtual SavedTransform? Saved => null;

    /// <summary>
    /// <see cref="Saved"/> with what every transform saves written in: its type, input column, batch size and, for a
    /// task, its number of stages; null without <see cref="Saved"/>.
    /// </summary>
    private protected SavedTransform? SavedDescription => Saved is { } saved
        ? saved with { Transform = GetType().Name, InputColumn = Graph.InputColumnName, ScoringBatchSize = ScoringBatchSize, Stages = IsTask ? 2 : null }
        : null;

    /// <summary>The model behind the transform, kept whole in the saved pipeline (null with <see cref="Saved"/>).</summary>
    private protected virtual AutoencoderModel? SavedModel => null;

    /// <summary>A task's fitted state as one metadata entry, or null when the model and <see cref="Saved"/> are all it needs.</summary>
    private protected virtual (string Key, string Value)? SavedState => null;

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
        return pipeline.GetOutputSchema(inputSchema);
    }

    /// <summary>Returns a lazily scored view: checked against the schema now, scored when a cursor reads it.</summary>
    /// <param name="input">The data to transform.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type or size.</exception>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        var output = pipeline.Transform(input);
        return IsTask ? new DisposalSurfacing(output) : output;
    }

    /// <summary>The per-row mapper that <see cref="PredictionEngine{TSrc, TDst}"/> uses.</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type or size.</exception>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        return pipeline.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Saves as ML.NET's ONNX transform, then a task's ML.NET stages (see remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ThrowIfDisposed();
        pipeline.Save(ctx);
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

    /// <summary>Called once by <see cref="Dispose()"/>: releases the session, then what the transform owns.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            mapper.Dispose();
            owned?.Dispose();
        }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> if <see cref="Dispose()"/> was called.</summary>
    private protected void ThrowIfDisposed() => mapper.Scorer.ThrowIfDisposed();

    /// <summary>
    /// The metadata entries the saved graph carries for <c>LoadAutoencoderPipeline</c>, given whether the saved form
    /// replaces its input column: <see cref="Saved"/>, then <see cref="SavedState"/> (if any), then
    /// <see cref="SavedModel"/>'s entries; none without <see cref="Saved"/>.
    /// </summary>
    private IEnumerable<(string Key, string Value)> SavedEntries(bool inPlace)
    {
        if (SavedDescription is not { } saved || SavedModel is not { } model)
        {
            return Enumerable.Empty<(string Key, string Value)>();
        }

        if (inPlace && IsTask)
        {
            throw new InvalidOperationException("A task transform's outputs cannot replace its input column.");
        }

        var entries = new List<(string Key, string Value)> { (saved with { InPlace = inPlace }).Entry() };
        if (SavedState is { } state)
        {
            entries.Add(state);
        }

        return entries.Concat(EmbeddedModel.Entries(model));
    }

    /// <summary>
    /// Fits ML.NET stages that read one Single column <paramref name="column"/> (the graph's index or flag) on a one-row
    /// template: nothing is learnt, <c>Fit</c> only reads the schema.
    /// </summary>
    private protected static ITransformer FitStages(MLContext ml, IEstimator<ITransformer> stages, string column)
    {
        var schema = SchemaDefinition.Create(typeof(SingleRow));
        schema[nameof(SingleRow.Value)].ColumnName = column;
        return stages.Fit(ml.Data.LoadFromEnumerable(new[] { new SingleRow() }, schema));
    }

    /// <summary>The graph's own stage: batched scoring, the row mapper and the portable saved form.</summary>
    private sealed class GraphStage(ScoringTransformer owner) : ITransformer
    {
        public bool IsRowToRowMapper => true;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => owner.mapper.GetOutputSchema(inputSchema);

        public IDataView Transform(IDataView input) => new ScoredDataView(input, owner.mapper);

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ScoredRowMapper(inputSchema, owner.mapper);

        public void Save(ModelSaveContext ctx) => PortableOnnxTransform.Save(owner.Graph, owner.SavedEntries, ctx);
    }

    /// <summary>
    /// A task's output, whose cursors rethrow an <see cref="ObjectDisposedException"/> that ML.NET's splitter or
    /// consolidator (reading the scores on worker threads) wrapped in its own exception, so that a task disposed during
    /// multi-thread scoring is reported as such.
    /// </summary>
    private sealed class DisposalSurfacing(IDataView view) : IDataView
    {
        public bool CanShuffle => view.CanShuffle;

        public DataViewSchema Schema => view.Schema;

        public long? GetRowCount() => view.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            Surfacing(() => new Cursor(view.GetRowCursor(columnsNeeded, rand)));

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            Surfacing(() => view.GetRowCursorSet(columnsNeeded, n, rand).Select(c => (DataViewRowCursor)new Cursor(c)).ToArray());

        private static T Surfacing<T>(Func<T> action)
        {
            try
            {
                return action();
            }
            catch (Exception e) when (e is not ObjectDisposedException && Disposed(e) is { } disposed)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(disposed);
                throw;
            }
        }

        private static ObjectDisposedException? Disposed(Exception e)
        {
            for (Exception? inner = e.InnerException; inner != null; inner = inner.InnerException)
            {
                if (inner is ObjectDisposedException disposed)
                {
                    return disposed;
                }
            }

            return null;
        }

        private sealed class Cursor(DataViewRowCursor inner) : DataViewRowCursor
        {
            public override long Position => inner.Position;

            public override long Batch => inner.Batch;

            public override DataViewSchema Schema => inner.Schema;

            // Per row: a plain try (no delegate to allocate), the same rethrow as Surfacing.
            public override bool MoveNext()
            {
                try
                {
                    return inner.MoveNext();
                }
                catch (Exception e) when (e is not ObjectDisposedException && Disposed(e) is { } disposed)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(disposed);
                    throw;
                }
            }

            public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);

            public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }

    private sealed class SingleRow
    {
        public float Value { get; set; }
    }
}

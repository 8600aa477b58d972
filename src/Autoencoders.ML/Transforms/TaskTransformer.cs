using System.Threading;
using Autoencoders.ML.IO;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The base of every task transform here (anomaly detector, classifier, clusters): an ONNX graph scored in batches (a
/// <see cref="ScoringTransformer"/>) followed by ML.NET's own stages (a type conversion, a key mapping, a drop), as one
/// <see cref="ITransformer"/>. A subclass describes its graph and its ML.NET stages and what it saves; the base does the
/// rest: schema, lazy batched scoring, the row mapper behind <see cref="PredictionEngine{TSrc, TDst}"/>, saving and
/// disposal.
/// </summary>
/// <remarks>
/// <para><b>Saving.</b> <c>mlContext.Model.Save</c> stores the transform as ML.NET's OnnxTransformer (the graph
/// embedded, carrying the transform's settings, its model and its fitted state in the graph's metadata, under a
/// SHA-256 checksum) followed by its ML.NET stages. <c>mlContext.Model.LoadAutoencoderPipeline</c> gives the transform
/// back as itself — same type, columns, values and settings; a changed byte of what it reads is refused with an error
/// naming the file and entry. Stock <c>mlContext.Model.Load</c> still loads the pipeline without this assembly, with the
/// same values; there, a scalar output comes back as a one-element vector (ML.NET's OnnxTransformer cannot emit a
/// scalar).</para>
/// <para><b>Disposal.</b> <see cref="Dispose()"/> releases the ONNX Runtime session (after scoring calls under way end)
/// and what the transform owns; afterwards every use throws <see cref="ObjectDisposedException"/> — itself, also when
/// ML.NET's stages read the scores on worker threads (whose wrapper exception is taken off).</para>
/// </remarks>
public abstract class TaskTransformer : ITransformer, IDisposable
{
    private readonly ScoringTransformer scoring;
    private readonly TransformerChain<ITransformer> chain;
    private int disposed;

    /// <summary>The task on <paramref name="graph"/>, scored in batches of <paramref name="scoringBatchSize"/>, then <paramref name="stages"/>.</summary>
    private protected TaskTransformer(ScoringGraph graph, int scoringBatchSize, int? scoringThreads, ITransformer stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        // The saved entries are read when the pipeline is saved, once the subclass is constructed.
        scoring = new Scorer(graph, scoringBatchSize, scoringThreads, GetType().Name, SavedEntries);
        chain = new TransformerChain<ITransformer>(scoring, stages);
    }

    /// <summary>Rows per ONNX Runtime call when transforming an <see cref="IDataView"/>.</summary>
    public int ScoringBatchSize => scoring.ScoringBatchSize;

    /// <summary>Always true: the transform works row by row too (PredictionEngine).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>Checks the input column and returns the schema with the task's columns added.</summary>
    /// <param name="inputSchema">The schema of the data to transform.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type or size; the message names it.</exception>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return chain.GetOutputSchema(inputSchema);
    }

    /// <summary>Returns a lazily scored view: checked against the schema now, scored in batches when a cursor reads it.</summary>
    /// <param name="input">The data to transform.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type or size.</exception>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        return new DisposalSurfacing(chain.Transform(input));
    }

    /// <summary>The per-row mapper that <see cref="PredictionEngine{TSrc, TDst}"/> uses.</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    /// <exception cref="ObjectDisposedException">The transform was disposed.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        return ((ITransformer)chain).GetRowToRowMapper(inputSchema);
    }

    /// <summary>Saves as ML.NET's OnnxTransformer and the task's ML.NET stages (see remarks).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ThrowIfDisposed();
        ((ICanSaveModel)chain).Save(ctx);
    }

    /// <summary>Releases the ONNX Runtime session and what the transform owns. Idempotent.</summary>
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
        if (disposing)
        {
            scoring.Dispose();
        }
    }

    /// <summary>What <c>mlContext.Model.LoadAutoencoderPipeline</c> needs to rebuild the task (with <c>Stages = 2</c>).</summary>
    private protected abstract SavedTransform Saved { get; }

    /// <summary>The model behind the task, kept whole in the saved graph.</summary>
    private protected abstract AutoencoderModel SavedModel { get; }

    /// <summary>The task's fitted state as one metadata entry, or null when the model and <see cref="Saved"/> are all it needs.</summary>
    private protected virtual (string Key, string Value)? SavedState => null;

    /// <summary>
    /// The metadata entries of the saved graph: <see cref="Saved"/>, then <see cref="SavedState"/> (if any), then
    /// <see cref="SavedModel"/>'s entries.
    /// </summary>
    private IEnumerable<(string Key, string Value)> SavedEntries()
    {
        var entries = new List<(string Key, string Value)> { Saved.Entry() };
        if (SavedState is { } state)
        {
            entries.Add(state);
        }

        return entries.Concat(EmbeddedModel.Entries(SavedModel));
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> if <see cref="Dispose()"/> was called.</summary>
    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);

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

    /// <summary>The graph's scorer of a task: a <see cref="ScoringTransformer"/> whose saved graph carries the task's entries.</summary>
    private sealed class Scorer : ScoringTransformer
    {
        private readonly Func<IEnumerable<(string Key, string Value)>> entries;

        public Scorer(ScoringGraph graph, int scoringBatchSize, int? scoringThreads, string ownerName, Func<IEnumerable<(string Key, string Value)>> entries)
            : base(graph, scoringBatchSize, scoringThreads, ownerName)
        {
            this.entries = entries;
        }

        private protected override IEnumerable<(string Key, string Value)> SavedEntries(bool inPlace)
        {
            if (inPlace)
            {
                throw new InvalidOperationException("A task transform's outputs cannot replace its input column.");
            }

            return entries();
        }
    }

    /// <summary>
    /// The chain's output, whose cursors rethrow an <see cref="ObjectDisposedException"/> that ML.NET's splitter or
    /// consolidator (reading the scores on worker threads) wrapped in its own exception, so that a transform disposed
    /// during multi-thread scoring is reported as such.
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

            public override bool MoveNext() => Surfacing(inner.MoveNext);

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

using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The per-row path used by <see cref="PredictionEngine{TSrc, TDst}"/>: each row is scored on demand (a batch of one)
/// and cached until the input row changes.
/// </summary>
internal sealed class ScoredRowMapper : IRowToRowMapper
{
    private readonly OnnxColumnMapper mapper;

    public ScoredRowMapper(DataViewSchema inputSchema, OnnxColumnMapper mapper)
    {
        InputSchema = inputSchema;
        this.mapper = mapper;
        OutputSchema = mapper.GetOutputSchema(inputSchema);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new List<DataViewSchema.Column>();
        bool score = false;
        foreach (var column in dependingColumns)
        {
            if (column.Index < InputSchema.Count)
            {
                needed.Add(InputSchema[column.Index]);
            }
            else
            {
                score = true;
            }
        }

        var feature = InputSchema[mapper.InputColumnName];
        if (score && !needed.Contains(feature))
        {
            needed.Add(feature);
        }

        return needed;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        mapper.Scorer.ThrowIfDisposed();
        var active = new bool[OutputSchema.Count];
        foreach (var column in activeColumns)
        {
            active[column.Index] = true;
        }

        return new Row(this, input, active);
    }

    private sealed class Row : DataViewRow
    {
        private readonly ScoredRowMapper owner;
        private readonly DataViewRow input;
        private readonly bool[] active;
        private readonly ScoredBatch batch;
        private ValueGetter<VBuffer<float>>? featureGetter;
        private VBuffer<float> buffer;
        private long scoredPosition = long.MinValue;

        public Row(ScoredRowMapper owner, DataViewRow input, bool[] active)
        {
            this.owner = owner;
            this.input = input;
            this.active = active;
            batch = new ScoredBatch(owner.mapper, capacity: 1);
        }

        public override DataViewSchema Schema => owner.OutputSchema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = owner.InputSchema.Count;
            if (column.Index < inputCount)
            {
                return input.GetGetter<TValue>(input.Schema[column.Index]);
            }

            return batch.Getter<TValue>(column, column.Index - inputCount, () => 0, EnsureScored);
        }

        private void EnsureScored()
        {
            // A disposed transform fails here even for a row already scored: the engine must not outlive it silently.
            owner.mapper.Scorer.ThrowIfDisposed();

            // Several output getters of one row share one ONNX call. The cache is keyed by the position *and* the
            // values, because not every caller (PredictionEngine among them) advances Position between rows.
            featureGetter ??= input.GetGetter<VBuffer<float>>(input.Schema[owner.mapper.InputColumnName]);
            featureGetter(ref buffer);
            if (scoredPosition == input.Position && scoredPosition != long.MinValue && batch.HoldsOnly(buffer))
            {
                return;
            }

            scoredPosition = long.MinValue;
            batch.Clear();
            batch.Add(buffer, input.Position);
            batch.Score();
            scoredPosition = input.Position;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The per-row path used by <see cref="PredictionEngine{TSrc, TDst}"/>: each row is scored on demand (batch of one)
/// and cached until the input row moves.
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
        private readonly float[] features;
        private readonly float[][] results;
        private ValueGetter<VBuffer<float>>? featureGetter;
        private VBuffer<float> buffer;
        private long scoredPosition = long.MinValue;

        public Row(ScoredRowMapper owner, DataViewRow input, bool[] active)
        {
            this.owner = owner;
            this.input = input;
            this.active = active;
            features = new float[owner.mapper.InputSize];
            results = owner.mapper.Outputs.Select(o => new float[o.Size]).ToArray();
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

            int output = column.Index - inputCount;
            var spec = owner.mapper.Outputs[output];
            if (spec.IsScalar)
            {
                ValueGetter<float> scalar = (ref float value) =>
                {
                    EnsureScored();
                    value = results[output][0];
                };
                return scalar as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is Single, not {typeof(TValue).Name}.");
            }

            ValueGetter<VBuffer<float>> vector = (ref VBuffer<float> value) =>
            {
                EnsureScored();
                var editor = VBufferEditor.Create(ref value, spec.Size);
                results[output].AsSpan().CopyTo(editor.Values);
                value = editor.Commit();
            };
            return vector as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column '{column.Name}' is a vector of Single, not {typeof(TValue).Name}.");
        }

        private void EnsureScored()
        {
            // Several output getters of one row share one ONNX call. The cache is keyed by the position *and* the
            // values, because not every caller (PredictionEngine among them) advances Position between rows.
            featureGetter ??= input.GetGetter<VBuffer<float>>(input.Schema[owner.mapper.InputColumnName]);
            featureGetter(ref buffer);
            if (scoredPosition == input.Position && scoredPosition != long.MinValue && Same(buffer, features))
            {
                return;
            }

            buffer.CopyTo(features);
            owner.mapper.Scorer.Score(features, 1, owner.mapper.Outputs, results);
            scoredPosition = input.Position;
        }

        private static bool Same(VBuffer<float> current, float[] cached)
        {
            if (current.Length != cached.Length)
            {
                return false;
            }

            int i = 0;
            foreach (float v in current.DenseValues())
            {
                if (v.CompareTo(cached[i++]) != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

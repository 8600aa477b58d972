using Microsoft.ML;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// The lazily scored output of a transform: the input's columns followed by the mapper's columns. Rows are read from
/// the input in batches and scored with one ONNX Runtime call per batch. Reading it after its transform was disposed
/// throws <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class ScoredDataView : IDataView
{
    private readonly IDataView source;
    private readonly OnnxColumnMapper mapper;

    public ScoredDataView(IDataView source, OnnxColumnMapper mapper)
    {
        this.source = source;
        this.mapper = mapper;
        Schema = mapper.GetOutputSchema(source.Schema);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        mapper.Scorer.ThrowIfDisposed();
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
        {
            active[column.Index] = true;
        }

        int inputCount = source.Schema.Count;
        bool score = active.Skip(inputCount).Any(a => a);
        var inputColumns = Enumerable.Range(0, inputCount).Where(i => active[i]).Select(i => source.Schema[i]).ToList();
        var feature = source.Schema[mapper.InputColumnName];
        if (score && !inputColumns.Contains(feature))
        {
            inputColumns.Add(feature);
        }

        return new ScoredCursor(this, source.GetRowCursor(inputColumns), mapper, active, score);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };
}

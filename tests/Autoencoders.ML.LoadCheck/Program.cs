// Loads an ML.NET model zip in a process that knows nothing of Autoencoders.ML, scores rows, writes every float output.
// Usage: Autoencoders.ML.LoadCheck <model.zip> <input.json> <output.json>
//   input.json:  { "column": "Features", "rows": [[...], ...] }
//   input.json:  optionally "labels": [...], a Single column named Label
//   output.json: { "stages": [type names], "columns": { name: [[...], ...] }, "types": { name: type },
//                  "labels": { key column: [its values after MapKeyToValue, as text] } }
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext();
var model = ml.Model.Load(args[0], out var inputSchema);
var request = JsonSerializer.Deserialize<Request>(File.ReadAllText(args[1]))!;
int size = ((VectorDataViewType)inputSchema[request.column].Type).Size;
var definition = SchemaDefinition.Create(typeof(Row));
var features = definition[nameof(Row.Features)];
features.ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
features.ColumnName = request.column;
IDataView data = ml.Data.LoadFromEnumerable(request.rows.Select((r, i) => new Row { Features = r, Label = request.labels?[i] ?? 0 }).ToList(), definition);
if (request.labels == null)
{
    data = ml.Transforms.DropColumns("Label").Fit(data).Transform(data);
}

var scored = model.Transform(data);

var columns = new Dictionary<string, float[][]>();
var types = new Dictionary<string, string>();
var labels = new Dictionary<string, string[]>();
foreach (var column in scored.Schema.Where(c => !c.IsHidden))
{
    types[column.Name] = column.Type.ToString() ?? string.Empty;
    if (column.Type is VectorDataViewType { ItemType: NumberDataViewType n } && n == NumberDataViewType.Single)
    {
        columns[column.Name] = scored.GetColumn<float[]>(column).ToArray();
    }
    else if (column.Type == NumberDataViewType.Single)
    {
        columns[column.Name] = scored.GetColumn<float>(column).Select(v => new[] { v }).ToArray();
    }
    else if (column.Type is VectorDataViewType { ItemType: BooleanDataViewType })
    {
        columns[column.Name] = scored.GetColumn<VBuffer<bool>>(column).Select(v => v.DenseValues().Select(b => b ? 1f : 0f).ToArray()).ToArray();
    }
    else if (column.Type is VectorDataViewType { ItemType: KeyDataViewType } && column.Name != "Label")
    {
        // Keys as numbers, and mapped back to their values with MapKeyToValue (the README's pipeline shape).
        columns[column.Name] = scored.GetColumn<VBuffer<uint>>(column).Select(v => v.DenseValues().Select(k => (float)k).ToArray()).ToArray();
        var mapped = ml.Transforms.Conversion.MapKeyToValue(column.Name + ".Value", column.Name).Fit(scored).Transform(scored);
        var value = mapped.Schema[column.Name + ".Value"];
        types[value.Name] = value.Type.ToString() ?? string.Empty;
        labels[column.Name] = mapped.Preview(maxRows: 100_000).RowView
            .Select(r => r.Values.First(v => v.Key == value.Name).Value switch
            {
                VBuffer<ReadOnlyMemory<char>> v => string.Join("|", v.DenseValues()),
                VBuffer<float> v => string.Join("|", v.DenseValues().Select(f => f.ToString("R", CultureInfo.InvariantCulture))),
                var v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty,
            })
            .ToArray();
    }
}

var stages = model is TransformerChain<ITransformer> chain ? Flatten(chain).ToArray() : new[] { model.GetType().Name };
File.WriteAllText(args[2], JsonSerializer.Serialize(new { stages, columns, types, labels }));
return 0;

static IEnumerable<string> Flatten(IEnumerable<ITransformer> chain) =>
    chain.SelectMany(t => t is IEnumerable<ITransformer> inner ? Flatten(inner) : new[] { t.GetType().Name });

internal sealed class Request
{
    public string column { get; set; } = "Features";

    public float[][] rows { get; set; } = Array.Empty<float[]>();

    public float[]? labels { get; set; }
}

internal sealed class Row
{
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Label { get; set; }
}

// Loads an ML.NET model zip in a process that knows nothing of Autoencoders.ML, scores rows, writes every float output.
// Usage: Autoencoders.ML.LoadCheck <model.zip> <input.json> <output.json>
//   input.json:  { "column": "Features", "rows": [[...], ...] }
//   output.json: { "stages": [type names], "columns": { name: [[...], ...] } }
using System;
using System.Collections.Generic;
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
var data = ml.Data.LoadFromEnumerable(request.rows.Select(r => new Row { Features = r }).ToList(), definition);
var scored = model.Transform(data);

var columns = new Dictionary<string, float[][]>();
foreach (var column in scored.Schema.Where(c => !c.IsHidden))
{
    if (column.Type is VectorDataViewType { ItemType: NumberDataViewType n } && n == NumberDataViewType.Single)
    {
        columns[column.Name] = scored.GetColumn<float[]>(column).ToArray();
    }
    else if (column.Type == NumberDataViewType.Single)
    {
        columns[column.Name] = scored.GetColumn<float>(column).Select(v => new[] { v }).ToArray();
    }
}

var stages = model is TransformerChain<ITransformer> chain ? Flatten(chain).ToArray() : new[] { model.GetType().Name };
File.WriteAllText(args[2], JsonSerializer.Serialize(new { stages, columns }));
return 0;

static IEnumerable<string> Flatten(IEnumerable<ITransformer> chain) =>
    chain.SelectMany(t => t is IEnumerable<ITransformer> inner ? Flatten(inner) : new[] { t.GetType().Name });

internal sealed class Request
{
    public string column { get; set; } = "Features";

    public float[][] rows { get; set; } = Array.Empty<float[]>();
}

internal sealed class Row
{
    public float[] Features { get; set; } = Array.Empty<float>();
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Data;

/// <summary>In-memory data views whose rows hold a known-size <c>Vector&lt;Single&gt;</c> column, and the schema step that declares one.</summary>
internal static class VectorColumns
{
    /// <summary>
    /// Declares the member <paramref name="member"/> of <paramref name="schema"/> as <c>Vector&lt;Single, size&gt;</c>
    /// and, when <paramref name="column"/> is given, renames it (the indexer looks columns up by their current name:
    /// the type is set before the rename).
    /// </summary>
    public static void Declare(SchemaDefinition schema, string member, int size, string? column = null)
    {
        var definition = schema[member];
        definition.ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        if (column != null)
        {
            definition.ColumnName = column;
        }
    }

    /// <summary>A view of <paramref name="rows"/> (each of <paramref name="size"/> values) as one vector column named <paramref name="column"/>.</summary>
    public static IDataView Load(DataOperationsCatalog catalog, IEnumerable<float[]> rows, int size, string column)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        Declare(schema, nameof(Row.Values), size, column);
        return catalog.LoadFromEnumerable(rows.Select(r => new Row { Values = r }).ToList(), schema);
    }

    private sealed class Row
    {
        public float[] Values { get; set; } = Array.Empty<float>();
    }
}

using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Schema-shape propagation for estimators. ML.NET's <c>SchemaShape.Column</c> constructor and <c>SchemaShape.Create</c>
/// are internal, so new columns are described as a <see cref="DataViewSchema"/> and converted by reflection.
/// </summary>
internal static class SchemaShapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod(
        "Create", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, null, new[] { typeof(DataViewSchema) }, null)
        ?? throw new MissingMethodException("SchemaShape.Create(DataViewSchema) was not found in this version of Microsoft.ML.");

    /// <summary>The shape of a schema (ML.NET's own conversion, internal there).</summary>
    public static SchemaShape From(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, new object[] { schema })!;

    /// <summary>Checks that <paramref name="name"/> is a fixed-size vector of Single in <paramref name="input"/>.</summary>
    public static void CheckVectorOfSingle(SchemaShape input, string name, string role)
    {
        var column = input.FirstOrDefault(c => c.Name == name);
        if (column.Name == null)
        {
            throw new ArgumentOutOfRangeException(
                nameof(input),
                $"Could not find {role} column '{name}'. The data has columns: {string.Join(", ", input.Select(c => $"'{c.Name}'"))}.");
        }

        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single || column.IsKey)
        {
            string found = column.Kind switch
            {
                SchemaShape.Column.VectorKind.Scalar => $"{column.ItemType}",
                SchemaShape.Column.VectorKind.VariableVector => $"variable-length Vector<{column.ItemType}>",
                _ => $"Vector<{column.ItemType}>",
            };
            throw new ArgumentOutOfRangeException(
                nameof(input),
                $"Schema mismatch for {role} column '{name}': expected known-size vector of Single, got {found}.");
        }
    }

    /// <summary>The input shape with <paramref name="added"/> columns appended (a same-named input column is replaced).</summary>
    public static SchemaShape Append(SchemaShape input, IEnumerable<(string Name, DataViewType Type)> added)
    {
        var builder = new DataViewSchema.Builder();
        var list = added.ToList();
        foreach (var (name, type) in list)
        {
            builder.AddColumn(name, type);
        }

        var addedShape = From(builder.ToSchema());
        var names = new HashSet<string>(list.Select(c => c.Name));
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(addedShape));
    }
}

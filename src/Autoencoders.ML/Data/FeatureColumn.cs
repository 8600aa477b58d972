using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Data;

/// <summary>Checks that a column holds known-size vectors of <see cref="float"/>, with ML.NET-style messages.</summary>
internal static class FeatureColumn
{
    /// <summary>Returns the vector size of <paramref name="columnName"/> or throws naming the column, the expected and the actual type.</summary>
    /// <param name="schema">The schema to look in.</param>
    /// <param name="columnName">The column's name.</param>
    /// <param name="role">What the column is for, as in "input" or "target".</param>
    public static int GetVectorSize(DataViewSchema schema, string columnName, string role)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(
                nameof(schema),
                $"Could not find {role} column '{columnName}'. The data has columns: {Describe(schema)}.");
        return GetVectorSize(column, role);
    }

    /// <summary>
    /// As <see cref="GetVectorSize(DataViewSchema, string, string)"/>, and throws unless the size is
    /// <paramref name="expected"/>, naming the column, both sizes and what <paramref name="expected"/> is.
    /// </summary>
    /// <param name="schema">The schema to look in.</param>
    /// <param name="columnName">The column's name.</param>
    /// <param name="role">What the column is for, as in "input" or "target".</param>
    /// <param name="expected">The size the column must have.</param>
    /// <param name="meaning">What <paramref name="expected"/> is, for the message, as in "the model's size".</param>
    /// <param name="paramName">The argument the exception names.</param>
    public static int GetVectorSize(DataViewSchema schema, string columnName, string role, int expected, string meaning, string paramName)
    {
        int size = GetVectorSize(schema, columnName, role);
        if (size != expected)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                $"Schema mismatch for {role} column '{columnName}': expected vector of Single of size {expected} ({meaning}), got size {size}.");
        }

        return size;
    }

    /// <summary>Returns the vector size of <paramref name="column"/> or throws naming the expected and actual type.</summary>
    public static int GetVectorSize(DataViewSchema.Column column, string role)
    {
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentOutOfRangeException(
                nameof(column),
                $"Schema mismatch for {role} column '{column.Name}': expected known-size vector of Single, got {column.Type}. " +
                "Convert it first, for example with mlContext.Transforms.Conversion.ConvertType and Concatenate.");
        }

        if (!vector.IsKnownSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(column),
                $"Schema mismatch for {role} column '{column.Name}': expected known-size vector of Single, got variable-length Vector<Single>. " +
                "Every row must have the same number of values; give the size when loading (for example [VectorType(784)]).");
        }

        return vector.Size;
    }

    private static string Describe(DataViewSchema schema)
    {
        var names = new string[schema.Count];
        for (int i = 0; i < schema.Count; i++)
        {
            names[i] = $"'{schema[i].Name}' ({schema[i].Type})";
        }

        return names.Length == 0 ? "(none)" : string.Join(", ", names);
    }
}

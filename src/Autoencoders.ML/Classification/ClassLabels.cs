using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Classification;

/// <summary>
/// The classes of a classifier: the key values of the label column in key order (output i of the network is class i),
/// kept in their ML.NET type (so the predicted label gets the label's own key type back) and as text (for ONNX metadata
/// and CSV files).
/// </summary>
internal sealed class ClassLabels
{
    private const string KeyValuesKind = "KeyValues";

    private ClassLabels(Array values, DataViewType itemType, IReadOnlyList<string> text)
    {
        Values = values;
        ItemType = itemType;
        Text = text;
    }

    /// <summary>Number of classes.</summary>
    public int Count => Text.Count;

    /// <summary>Each class as text, in output order (numbers in invariant culture).</summary>
    public IReadOnlyList<string> Text { get; }

    /// <summary>The key values as ML.NET holds them: string[] for text labels, float[] / double[] / ... for numeric ones.</summary>
    internal Array Values { get; }

    /// <summary>The ML.NET type of one key value.</summary>
    internal DataViewType ItemType { get; }

    /// <summary>Classes given as text (for example read back from <c>classifier.onnx</c> metadata).</summary>
    /// <param name="text">The class values in output order.</param>
    public static ClassLabels FromText(IReadOnlyList<string> text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ClassLabels(text.ToArray(), TextDataViewType.Instance, text.ToArray());
    }

    /// <summary>The ML.NET name of the key values' type (<c>String</c> for text), as <see cref="FromText(IReadOnlyList{string}, string)"/> reads it.</summary>
    internal string ItemKind => ItemType.RawType == typeof(ReadOnlyMemory<char>) ? "String" : ItemType.RawType.Name;

    /// <summary>Classes written as text by <see cref="Text"/> and <see cref="ItemKind"/>, in their own type again.</summary>
    /// <exception cref="FormatException">A value is not of the type, or the type is not one a label can have.</exception>
    internal static ClassLabels FromText(IReadOnlyList<string> text, string itemKind)
    {
        var culture = CultureInfo.InvariantCulture;
        return itemKind switch
        {
            "String" => FromText(text),
            nameof(Single) => Typed(text, NumberDataViewType.Single, v => float.Parse(v, culture)),
            nameof(Double) => Typed(text, NumberDataViewType.Double, v => double.Parse(v, culture)),
            nameof(Int32) => Typed(text, NumberDataViewType.Int32, v => int.Parse(v, culture)),
            nameof(Int64) => Typed(text, NumberDataViewType.Int64, v => long.Parse(v, culture)),
            nameof(UInt32) => Typed(text, NumberDataViewType.UInt32, v => uint.Parse(v, culture)),
            nameof(Boolean) => Typed(text, BooleanDataViewType.Instance, v => v == "true" ? true : v == "false" ? false : throw new FormatException($"'{v}' is not true or false.")),
            _ => throw new FormatException($"'{itemKind}' is not a type of label values."),
        };
    }

    private static ClassLabels Typed<T>(IReadOnlyList<string> text, DataViewType itemType, Func<string, T> parse) =>
        new(text.Select(parse).ToArray(), itemType, text.ToArray());

    /// <summary>
    /// Reads the classes from a key-typed label column's key values. Throws when the column is missing, is not a key,
    /// or has no key values.
    /// </summary>
    internal static ClassLabels FromLabelColumn(DataViewSchema schema, string labelColumnName)
    {
        var column = schema.GetColumnOrNull(labelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(labelColumnName), $"Could not find label column '{labelColumnName}'.");
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint))
        {
            throw new ArgumentOutOfRangeException(
                nameof(labelColumnName),
                $"Schema mismatch for label column '{labelColumnName}': expected Key<UInt32>, got {column.Type}. Map the label to a key first: " +
                $"mlContext.Transforms.Conversion.MapValueToKey(\"{labelColumnName}\").");
        }

        var keyValues = column.Annotations.Schema.GetColumnOrNull(KeyValuesKind);
        if (keyValues?.Type is not VectorDataViewType { ItemType: var itemType })
        {
            throw new ArgumentOutOfRangeException(
                nameof(labelColumnName),
                $"Label column '{labelColumnName}' is a key without key values; make it with mlContext.Transforms.Conversion.MapValueToKey so each class has a value.");
        }

        return itemType.RawType switch
        {
            var t when t == typeof(ReadOnlyMemory<char>) => Read<ReadOnlyMemory<char>>(column, itemType, v => v.ToString(), v => v.ToString()),
            var t when t == typeof(float) => Read<float>(column, itemType, v => v, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(double) => Read<double>(column, itemType, v => v, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(int) => Read<int>(column, itemType, v => v, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(long) => Read<long>(column, itemType, v => v, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(uint) => Read<uint>(column, itemType, v => v, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(bool) => Read<bool>(column, itemType, v => v, v => v ? "true" : "false"),
            _ => throw new ArgumentOutOfRangeException(
                nameof(labelColumnName),
                $"Label column '{labelColumnName}' has key values of type {itemType}; use text or numeric labels."),
        };
    }

    private static ClassLabels Read<T>(DataViewSchema.Column column, DataViewType itemType, Func<T, object> keep, Func<T, string> text)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        var dense = values.DenseValues().ToArray();
        var kept = dense.Select(keep).ToArray();
        var typed = kept.Length > 0 && kept[0] is string ? (Array)kept.Cast<string>().ToArray() : CopyTyped(kept);
        return new ClassLabels(typed, itemType, dense.Select(text).ToArray());
    }

    private static Array CopyTyped(object[] values)
    {
        if (values.Length == 0)
        {
            return values;
        }

        var array = Array.CreateInstance(values[0].GetType(), values.Length);
        Array.Copy(values, array, values.Length);
        return array;
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Classification;

/// <summary>
/// ML.NET stages that turn the index of the most probable class (a float column) into the predicted label: ValueMapping
/// from index i to the i-th class value, as a key whose key values are the classes in the same order — the label's own
/// key type — and then the index column dropped. Both are ML.NET's own transforms, so they save and load anywhere.
/// </summary>
internal static class PredictedLabelMapping
{
    public static ITransformer Create(ClassLabels classes, string indexColumnName, string outputColumnName)
    {
        var ml = new MLContext();
        var method = typeof(PredictedLabelMapping).GetMethod(nameof(Map), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(classes.Values.GetType().GetElementType()!);
        var mapping = (IEstimator<ITransformer>)method.Invoke(null, new object[] { ml, classes.Values, indexColumnName, outputColumnName })!;
        return mapping.Append(ml.Transforms.DropColumns(indexColumnName)).Fit(IndexInput(ml, indexColumnName));
    }

    private static IEstimator<ITransformer> Map<T>(MLContext ml, T[] values, string indexColumnName, string outputColumnName) =>
        ml.Transforms.Conversion.MapValue(
            outputColumnName, values.Select((value, i) => new KeyValuePair<float, T>(i, value)), indexColumnName, treatValuesAsKeyType: true);

    /// <summary>One row with the index column, for Fit to read the schema.</summary>
    private static IDataView IndexInput(MLContext ml, string column)
    {
        var schema = SchemaDefinition.Create(typeof(IndexRow));
        schema[nameof(IndexRow.Index)].ColumnName = column;
        return ml.Data.LoadFromEnumerable(new[] { new IndexRow() }, schema);
    }

    private sealed class IndexRow
    {
        public float Index { get; set; }
    }
}

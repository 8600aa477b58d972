using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>One output column of an ONNX-scored transform: which graph output fills it, and its shape.</summary>
/// <param name="ColumnName">Name of the column added to the data.</param>
/// <param name="OnnxOutput">Name of the graph output that fills it.</param>
/// <param name="Size">Values per row.</param>
/// <param name="IsScalar">True for a <see cref="float"/> column (Size must be 1), false for a known-size vector.</param>
internal sealed record ScoredColumn(string ColumnName, string OnnxOutput, int Size, bool IsScalar)
{
    /// <summary>The column's ML.NET type: <c>Single</c> or <c>Vector&lt;Single, Size&gt;</c>.</summary>
    public DataViewType Type => IsScalar ? NumberDataViewType.Single : new VectorDataViewType(NumberDataViewType.Single, Size);
}

using System.Collections.Generic;
using Google.Protobuf;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Attributes and constants the image layers need beyond <see cref="OnnxModelBuilder"/>'s float initializers: integer
/// lists, strings and int64 tensors (shapes, slice bounds, pads), the latter as Constant nodes.
/// </summary>
internal static class OnnxNodes
{
    /// <summary>An integer-list attribute such as <c>kernel_shape</c> or <c>pads</c>.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    /// <summary>A string attribute such as Resize's <c>mode</c>.</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>Adds a Constant node holding a 1-D int64 tensor named <paramref name="name"/> and returns the name.</summary>
    public static string Int64(OnnxModelBuilder builder, string name, IReadOnlyCollection<long> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Count);
        tensor.Int64Data.Add(values);
        builder.AddNode("Constant", System.Array.Empty<string>(), name, new AttributeProto
        {
            Name = "value",
            Type = AttributeProto.Types.AttributeType.Tensor,
            T = tensor,
        });
        return name;
    }

    /// <summary>The float32 values of a parameter or buffer, on the host, in torch's (row-major) order.</summary>
    public static float[] ToFloats(TorchSharp.torch.Tensor tensor) =>
        tensor.detach().cpu().to_type(TorchSharp.torch.ScalarType.Float32).contiguous().data<float>().ToArray();
}

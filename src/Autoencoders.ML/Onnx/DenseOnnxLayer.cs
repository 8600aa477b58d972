using System;
using Autoencoders.ML.Architecture;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.ML.Onnx;

/// <summary>Writes a <see cref="DenseLayerSpec"/> as a Gemm node on the trained weights, followed by its activation.</summary>
internal static class DenseOnnxLayer
{
    /// <summary>
    /// Appends Y = activation(X·Wᵀ + b). The weight stays as torch stores it, (out, in), and Gemm transposes it
    /// (transB = 1), so no copy is reordered. Dropout is training-only and has no node.
    /// </summary>
    /// <param name="builder">The graph being written.</param>
    /// <param name="layer">The layer's spec.</param>
    /// <param name="linear">The trained affine map of the layer.</param>
    /// <param name="prefix">The layer's state-dict prefix, e.g. <c>encoder.0</c>; initializers are named after state-dict keys.</param>
    /// <param name="input">Name of the [batch, In] input tensor.</param>
    /// <param name="output">Name of the [batch, Out] tensor to produce.</param>
    public static void Append(OnnxModelBuilder builder, DenseLayerSpec layer, Linear linear, string prefix, string input, string output)
    {
        using var scope = NewDisposeScope();
        var shape = linear.weight!.shape;
        if (shape.Length != 2 || shape[0] != layer.Out || shape[1] != layer.In)
        {
            // A mismatch would otherwise only surface when a runtime loads the graph, far from its cause.
            throw new InvalidOperationException(
                $"Layer '{prefix}' has weights of shape [{string.Join(", ", shape)}] but its spec says {layer.In}→{layer.Out}.");
        }

        string weight = builder.AddInitializer(prefix + ".weight", ToFloats(linear.weight), layer.Out, layer.In);
        var inputs = linear.bias is null
            ? new[] { input, weight }
            : new[] { input, weight, builder.AddInitializer(prefix + ".bias", ToFloats(linear.bias), layer.Out) };

        string affine = layer.Act == Activation.None ? output : prefix + ".linear";
        builder.AddNode("Gemm", inputs, affine, OnnxModelBuilder.IntAttribute("transB", 1));
        if (layer.Act != Activation.None)
        {
            OnnxActivations.Append(builder, layer.Act, affine, output, prefix);
        }
    }

    // The module may live on a GPU or have been cast; the graph is float32 on the host.
    private static float[] ToFloats(Tensor parameter) =>
        parameter.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
}

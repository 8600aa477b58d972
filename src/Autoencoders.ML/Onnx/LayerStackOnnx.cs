using Autoencoders.ML.Architecture;
using Autoencoders.ML.Models;
using TorchSharp.Modules;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Writes a <see cref="LayerStack"/> as ONNX nodes, reshaping exactly where the stack does: Reshape [-1, C, H, W] before
/// an image layer that follows a flat tensor, Flatten(axis 1) before a dense layer that follows an image and at the end.
/// Input and output are flat [batch, size], like the module's.
/// </summary>
internal static class LayerStackOnnx
{
    /// <summary>Appends every layer of <paramref name="stack"/>, reading flat <paramref name="input"/> and writing flat <paramref name="output"/>.</summary>
    /// <param name="builder">The graph being written.</param>
    /// <param name="stack">The trained layers.</param>
    /// <param name="prefix">The stack's state-dict prefix, e.g. <c>encoder</c>; layers become <c>encoder.layers.{i}</c>.</param>
    /// <param name="input">Name of the flat input tensor.</param>
    /// <param name="output">Name of the flat tensor to produce.</param>
    public static void Append(OnnxModelBuilder builder, LayerStack stack, string prefix, string input, string output)
    {
        bool isImage = false;
        for (int i = 0; i < stack.Specs.Count; i++)
        {
            var spec = stack.Specs[i];
            string layerPrefix = $"{prefix}.layers.{i}";
            bool last = i == stack.Specs.Count - 1;
            if (spec is ImageLayerSpec image)
            {
                if (!isImage)
                {
                    var shape = image.InputShape;
                    string reshaped = layerPrefix + ".image";
                    builder.AddNode(
                        "Reshape",
                        new[] { input, OnnxNodes.Int64(builder, reshaped + ".shape", new long[] { -1, shape.Channels, shape.Height, shape.Width }) },
                        reshaped);
                    input = reshaped;
                }

                string layerOutput = layerPrefix + ".output";
                ImageOnnxLayers.Append(builder, image, stack.Layer(i), layerPrefix, input, layerOutput);
                input = layerOutput;
                isImage = true;
                if (last)
                {
                    Flatten(builder, input, output);
                }

                continue;
            }

            if (isImage)
            {
                string flat = layerPrefix + ".flat";
                Flatten(builder, input, flat);
                input = flat;
                isImage = false;
            }

            string denseOutput = last ? output : layerPrefix + ".output";
            var dense = (DenseLayerSpec)spec;
            DenseOnnxLayer.Append(builder, dense, (Linear)stack.Layer(i), layerPrefix, input, denseOutput);
            input = denseOutput;
        }
    }

    private static void Flatten(OnnxModelBuilder builder, string input, string output) =>
        builder.AddNode("Flatten", new[] { input }, output, OnnxModelBuilder.IntAttribute("axis", 1));
}

using System;
using System.Collections.Generic;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Writes image layers on [batch, C, H, W] tensors: Conv, ConvTranspose and Resize(nearest) + Conv, each followed by
/// BatchNormalization in inference form (running statistics) when the layer has batch norm, then the activation; and
/// Slice / Pad for a crop or pad. Initializers are named after the state-dict keys, e.g. <c>encoder.layers.0.conv.weight</c>.
/// </summary>
internal static class ImageOnnxLayers
{
    /// <summary>Appends <paramref name="layer"/> reading image tensor <paramref name="input"/> and writing image tensor <paramref name="output"/>.</summary>
    /// <param name="builder">The graph being written.</param>
    /// <param name="layer">The layer's spec.</param>
    /// <param name="module">The layer's trained module (from <see cref="LayerStack.Layer"/>).</param>
    /// <param name="prefix">The layer's state-dict prefix, e.g. <c>encoder.layers.0</c>.</param>
    /// <param name="input">Name of the [batch, C, H, W] input.</param>
    /// <param name="output">Name of the tensor to produce.</param>
    public static void Append(OnnxModelBuilder builder, ImageLayerSpec layer, TorchSharp.torch.nn.Module<Tensor, Tensor> module, string prefix, string input, string output)
    {
        using var scope = NewDisposeScope();
        switch (layer)
        {
            case CropOrPadLayerSpec crop:
                AppendCropOrPad(builder, crop, prefix, input, output);
                return;
            case Conv2dLayerSpec conv:
                AppendBlock(builder, layer, Block(module, prefix), "Conv", conv.KernelSize, conv.Stride, conv.Padding, null, prefix, input, output);
                return;
            case ConvTranspose2dLayerSpec transposed:
                AppendBlock(
                    builder, layer, Block(module, prefix), "ConvTranspose", transposed.KernelSize, transposed.Stride, transposed.Padding,
                    transposed.OutputPadding, prefix, input, output);
                return;
            case UpsampleConv2dLayerSpec upsample:
                // Opset 17 Resize: inputs X, roi (unused, empty name), scales. Asymmetric coordinates with floor pick source
                // pixel ⌊i / scale⌋, which is torch's "nearest".
                string scales = builder.AddInitializer(prefix + ".upsample.scales", new float[] { 1, 1, upsample.Scale, upsample.Scale }, 4);
                string upsampled = prefix + ".upsampled";
                builder.AddNode(
                    "Resize", new[] { input, string.Empty, scales }, upsampled,
                    OnnxNodes.String("mode", "nearest"),
                    OnnxNodes.String("coordinate_transformation_mode", "asymmetric"),
                    OnnxNodes.String("nearest_mode", "floor"));
                AppendBlock(builder, layer, Block(module, prefix), "Conv", upsample.KernelSize, 1, upsample.KernelSize / 2, null, prefix, upsampled, output);
                return;
            default:
                throw new NotSupportedException($"Layer '{prefix}' is a {layer.GetType().Name}; ONNX export does not support that layer type.");
        }
    }

    private static ImageBlock Block(TorchSharp.torch.nn.Module<Tensor, Tensor> module, string prefix) =>
        module as ImageBlock ?? throw new InvalidOperationException($"Layer '{prefix}' has a {module.GetType().Name} module where its spec needs a convolution.");

    private static void AppendBlock(
        OnnxModelBuilder builder, ImageLayerSpec layer, ImageBlock block, string opType, int kernel, int stride, int padding, int? outputPadding,
        string prefix, string input, string output)
    {
        var shape = block.Weight.shape;
        // Conv weights are (out, in, k, k); ConvTranspose weights are (in, out, k, k), exactly as ONNX expects each.
        long expectedOut = opType == "Conv" ? layer.OutputShape.Channels : layer.InputShape.Channels;
        long expectedIn = opType == "Conv" ? layer.InputShape.Channels : layer.OutputShape.Channels;
        if (shape.Length != 4 || shape[0] != expectedOut || shape[1] != expectedIn || shape[2] != kernel || shape[3] != kernel)
        {
            // A mismatch would otherwise only surface when a runtime loads the graph, far from its cause.
            throw new InvalidOperationException(
                $"Layer '{prefix}' has weights of shape [{string.Join(", ", shape)}] but its spec says {layer.InputShape} → {layer.OutputShape} with a {kernel}×{kernel} kernel.");
        }

        var inputs = new List<string> { input, builder.AddInitializer(prefix + ".conv.weight", OnnxNodes.ToFloats(block.Weight), shape) };
        if (block.Bias is Tensor bias)
        {
            inputs.Add(builder.AddInitializer(prefix + ".conv.bias", OnnxNodes.ToFloats(bias), bias.shape[0]));
        }

        var attributes = new List<global::Onnx.AttributeProto>
        {
            OnnxNodes.Ints("kernel_shape", kernel, kernel),
            OnnxNodes.Ints("strides", stride, stride),
            OnnxNodes.Ints("pads", padding, padding, padding, padding),
        };
        if (outputPadding is int extra)
        {
            attributes.Add(OnnxNodes.Ints("output_padding", extra, extra));
        }

        bool activate = layer.Activation != Activation.None;
        string convolved = block.Norm is null && !activate ? output : prefix + ".conv";
        builder.AddNode(opType, inputs, convolved, attributes.ToArray());
        string normalized = convolved;
        if (block.Norm is BatchNorm2d norm)
        {
            normalized = activate ? prefix + ".norm" : output;
            AppendBatchNorm(builder, norm, prefix + ".norm", convolved, normalized);
        }

        if (activate)
        {
            OnnxActivations.Append(builder, layer.Activation, normalized, output, prefix);
        }
    }

    // Inference form: y = (x − running_mean) / √(running_var + ε) · weight + bias, as torch computes in eval mode.
    private static void AppendBatchNorm(OnnxModelBuilder builder, BatchNorm2d norm, string prefix, string input, string output)
    {
        long features = norm.running_mean!.shape[0];
        builder.AddNode(
            "BatchNormalization",
            new[]
            {
                input,
                builder.AddInitializer(prefix + ".weight", OnnxNodes.ToFloats(norm.weight!), features),
                builder.AddInitializer(prefix + ".bias", OnnxNodes.ToFloats(norm.bias!), features),
                builder.AddInitializer(prefix + ".running_mean", OnnxNodes.ToFloats(norm.running_mean!), features),
                builder.AddInitializer(prefix + ".running_var", OnnxNodes.ToFloats(norm.running_var!), features),
            },
            output,
            OnnxModelBuilder.FloatAttribute("epsilon", (float)norm.eps));
    }

    private static void AppendCropOrPad(OnnxModelBuilder builder, CropOrPadLayerSpec layer, string prefix, string input, string output)
    {
        var from = layer.InputShape;
        bool crop = from.Height > layer.Height || from.Width > layer.Width;
        bool pad = from.Height < layer.Height || from.Width < layer.Width;
        if (!crop && !pad)
        {
            builder.AddNode("Identity", new[] { input }, output);
            return;
        }

        string cropped = input;
        if (crop)
        {
            cropped = pad ? prefix + ".cropped" : output;
            builder.AddNode(
                "Slice",
                new[]
                {
                    input,
                    OnnxNodes.Int64(builder, prefix + ".starts", new long[] { 0, 0 }),
                    OnnxNodes.Int64(builder, prefix + ".ends", new long[] { Math.Min(from.Height, layer.Height), Math.Min(from.Width, layer.Width) }),
                    OnnxNodes.Int64(builder, prefix + ".axes", new long[] { 2, 3 }),
                },
                cropped);
        }

        if (pad)
        {
            // Pads are all the begins (N, C, H, W), then all the ends: only the bottom and right grow.
            long[] pads = { 0, 0, 0, 0, 0, 0, Math.Max(0, layer.Height - from.Height), Math.Max(0, layer.Width - from.Width) };
            builder.AddNode("Pad", new[] { cropped, OnnxNodes.Int64(builder, prefix + ".pads", pads) }, output);
        }
    }
}

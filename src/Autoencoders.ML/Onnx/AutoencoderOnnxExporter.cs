using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Models;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Builds the ONNX encoder, decoder or full autoencoder graph of an <see cref="AutoencoderNetwork"/> from the same
/// <see cref="AutoencoderSpec"/> that built the TorchSharp module, with the module's trained weights.
/// </summary>
internal static class AutoencoderOnnxExporter
{
    // Also the state-dict prefixes, so initializers are named like the saved weights.
    private const string EncoderPrefix = "encoder";
    private const string DecoderPrefix = "decoder";

    /// <summary>The <c>input_layout</c> metadata value of image models: flat rows of C·H·W values, channel-major (planar).</summary>
    public const string FlatChannelMajor = "flat_chw";

    /// <summary>Builds the <paramref name="graph"/> of <paramref name="network"/> with <paramref name="info"/> in its metadata.</summary>
    public static ModelProto Build(AutoencoderNetwork network, OnnxGraphKind graph, OnnxModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(info);
        var spec = network.Spec;
        string graphName = GraphName(graph);
        var builder = new OnnxModelBuilder($"autoencoders_ml_{info.Kind}_{graphName}");
        switch (graph)
        {
            case OnnxGraphKind.Encoder:
                builder.AddInput(OnnxNames.Features, spec.InputSize);
                LayerStackOnnx.Append(builder, network.Encoder, EncoderPrefix, OnnxNames.Features, OnnxNames.Latent);
                builder.AddOutput(OnnxNames.Latent, spec.LatentSize);
                break;
            case OnnxGraphKind.Decoder:
                builder.AddInput(OnnxNames.Latent, spec.LatentSize);
                AppendDecoder(builder, network);
                builder.AddOutput(OnnxNames.Reconstruction, spec.OutputSize);
                break;
            case OnnxGraphKind.Autoencoder:
                builder.AddInput(OnnxNames.Features, spec.InputSize);
                LayerStackOnnx.Append(builder, network.Encoder, EncoderPrefix, OnnxNames.Features, OnnxNames.Latent);
                AppendDecoder(builder, network);
                builder.AddOutput(OnnxNames.Reconstruction, spec.OutputSize);
                builder.AddOutput(OnnxNames.Latent, spec.LatentSize);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(graph), graph, "Choose Encoder, Decoder or Autoencoder.");
        }

        string doc = Describe(spec, graph, info);
        var metadata = Metadata(spec, graphName, info);
        if (AutoencoderNetwork.IsConvolutional(spec))
        {
            string shape = ImageShapeText(spec);
            doc += $" Rows are flat images {shape} (channels x height x width), channel-major as ML.NET ExtractPixels writes by default.";
            metadata = metadata.Append(("input_layout", FlatChannelMajor)).Append(("image_shape", shape)).ToArray();
        }

        return builder.Build(doc, metadata);
    }

    /// <summary>The lower-case name of a graph kind, as written to the <c>graph</c> metadata entry.</summary>
    public static string GraphName(OnnxGraphKind graph) => graph switch
    {
        OnnxGraphKind.Encoder => "encoder",
        OnnxGraphKind.Decoder => "decoder",
        OnnxGraphKind.Autoencoder => "autoencoder",
        _ => throw new ArgumentOutOfRangeException(nameof(graph), graph, "Choose Encoder, Decoder or Autoencoder."),
    };

    /// <summary>The image shape of an image model as <c>CxHxW</c>, for metadata.</summary>
    public static string ImageShapeText(AutoencoderSpec spec)
    {
        var shape = spec.Encoder.OfType<ImageLayerSpec>().Select(l => l.InputShape).FirstOrDefault()
            ?? spec.Decoder.OfType<ImageLayerSpec>().Last().OutputShape;
        return $"{shape.Channels}x{shape.Height}x{shape.Width}";
    }

    private static void AppendDecoder(OnnxModelBuilder builder, AutoencoderNetwork network)
    {
        var output = OnnxActivations.Of(network.Spec.OutputActivation);
        string logits = output == Activation.None ? OnnxNames.Reconstruction : DecoderPrefix + ".logits";
        LayerStackOnnx.Append(builder, network.Decoder, DecoderPrefix, OnnxNames.Latent, logits);
        if (output != Activation.None)
        {
            OnnxActivations.Append(builder, output, logits, OnnxNames.Reconstruction, DecoderPrefix + ".output");
        }
    }


    internal static string Describe(AutoencoderSpec spec, OnnxGraphKind graph, OnnxModelInfo info)
    {
        string features = $"'{OnnxNames.Features}' float32 [{OnnxNames.BatchDimension}, {spec.InputSize}]";
        string latent = $"'{OnnxNames.Latent}' float32 [{OnnxNames.BatchDimension}, {spec.LatentSize}]";
        string reconstruction = $"'{OnnxNames.Reconstruction}' float32 [{OnnxNames.BatchDimension}, {spec.OutputSize}]";
        string signature = graph switch
        {
            OnnxGraphKind.Encoder => $"input {features}; output {latent}",
            OnnxGraphKind.Decoder => $"input {latent}; output {reconstruction}",
            _ => $"input {features}; outputs {reconstruction}, {latent}",
        };
        return $"Autoencoders.ML {info.Kind} autoencoder ({spec}), {GraphName(graph)} graph: {signature}. " +
            $"Output activation {spec.OutputActivation}, trained with {info.Loss} loss, input scaling {info.InputScaling}.";
    }

    internal static (string Key, string Value)[] Metadata(AutoencoderSpec spec, string graphName, OnnxModelInfo info)
    {
        var culture = CultureInfo.InvariantCulture;
        return new[]
        {
            ("kind", info.Kind),
            ("graph", graphName),
            ("input_size", spec.InputSize.ToString(culture)),
            ("latent_size", spec.LatentSize.ToString(culture)),
            ("output_size", spec.OutputSize.ToString(culture)),
            ("loss", info.Loss),
            ("input_scaling", info.InputScaling),
            ("output_activation", spec.OutputActivation.ToString()),
            ("architecture", spec.ToJson()),
        };
    }
}

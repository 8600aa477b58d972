using System;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Models;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Builds the encoder, decoder or autoencoder graph of a <see cref="ConvolutionalAutoencoderNetwork"/>. The graphs keep
/// the flat contract of every kind, <c>features</c> [batch, C·H·W] and <c>reconstruction</c> [batch, C·H·W] read
/// channel-major, so ML.NET transforms and the scoring graph work unchanged; they reshape to [batch, C, H, W]
/// internally. Metadata adds <c>input_layout</c> = <see cref="FlatChannelMajor"/> and <c>image_shape</c> (e.g. <c>3x32x32</c>).
/// </summary>
internal static class ConvolutionalOnnxExporter
{
    /// <summary>The <c>input_layout</c> metadata value: flat rows of C·H·W values, channel-major (planar).</summary>
    public const string FlatChannelMajor = "flat_chw";

    private const string EncoderPrefix = "encoder";
    private const string DecoderPrefix = "decoder";

    /// <summary>Builds the <paramref name="graph"/> of <paramref name="network"/> with <paramref name="info"/> in its metadata.</summary>
    public static ModelProto Build(ConvolutionalAutoencoderNetwork network, OnnxGraphKind graph, OnnxModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(info);
        var spec = network.Spec;
        string graphName = AutoencoderOnnxExporter.GraphName(graph);
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

        string shape = ImageShapeText(spec);
        string doc = AutoencoderOnnxExporter.Describe(spec, graph, info) +
            $" Rows are flat images {shape} (channels x height x width), channel-major as ML.NET ExtractPixels writes by default.";
        var metadata = AutoencoderOnnxExporter.Metadata(spec, graphName, info)
            .Append(("input_layout", FlatChannelMajor))
            .Append(("image_shape", shape));
        return builder.Build(doc, metadata);
    }

    /// <summary>The image shape of the rows, <c>CxHxW</c>: the encoder's first image input, or the decoder's last image output.</summary>
    public static string ImageShapeText(AutoencoderSpec spec)
    {
        var shape = spec.Encoder.OfType<ImageLayerSpec>().Select(l => l.InputShape).FirstOrDefault()
            ?? spec.Decoder.OfType<ImageLayerSpec>().Last().OutputShape;
        return $"{shape.Channels}x{shape.Height}x{shape.Width}";
    }

    private static void AppendDecoder(OnnxModelBuilder builder, ConvolutionalAutoencoderNetwork network)
    {
        var output = OnnxActivations.Of(network.Spec.OutputActivation);
        string logits = output == Activation.None ? OnnxNames.Reconstruction : DecoderPrefix + ".logits";
        LayerStackOnnx.Append(builder, network.Decoder, DecoderPrefix, OnnxNames.Latent, logits);
        if (output != Activation.None)
        {
            OnnxActivations.Append(builder, output, logits, OnnxNames.Reconstruction, DecoderPrefix + ".output");
        }
    }
}

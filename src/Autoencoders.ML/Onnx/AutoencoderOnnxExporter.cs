using System;
using System.Collections.Generic;
using System.Globalization;
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
                AppendEncoder(builder, network, OnnxNames.Features);
                builder.AddOutput(OnnxNames.Latent, spec.LatentSize);
                break;
            case OnnxGraphKind.Decoder:
                builder.AddInput(OnnxNames.Latent, spec.LatentSize);
                AppendDecoder(builder, network);
                builder.AddOutput(OnnxNames.Reconstruction, spec.OutputSize);
                break;
            case OnnxGraphKind.Autoencoder:
                builder.AddInput(OnnxNames.Features, spec.InputSize);
                AppendEncoder(builder, network, OnnxNames.Features);
                AppendDecoder(builder, network);
                builder.AddOutput(OnnxNames.Reconstruction, spec.OutputSize);
                builder.AddOutput(OnnxNames.Latent, spec.LatentSize);
                break;
        }

        return builder.Build(Describe(spec, graph, info), Metadata(spec, graphName, info));
    }

    /// <summary>The lower-case name of a graph kind, as written to the <c>graph</c> metadata entry.</summary>
    public static string GraphName(OnnxGraphKind graph) => graph switch
    {
        OnnxGraphKind.Encoder => "encoder",
        OnnxGraphKind.Decoder => "decoder",
        OnnxGraphKind.Autoencoder => "autoencoder",
        _ => throw new ArgumentOutOfRangeException(nameof(graph), graph, "Choose Encoder, Decoder or Autoencoder."),
    };

    private static void AppendEncoder(OnnxModelBuilder builder, AutoencoderNetwork network, string input) =>
        AppendChain(builder, network, network.Spec.Encoder, EncoderPrefix, input, OnnxNames.Latent);

    private static void AppendDecoder(OnnxModelBuilder builder, AutoencoderNetwork network)
    {
        var output = OnnxActivations.Of(network.Spec.OutputActivation);
        string logits = output == Activation.None ? OnnxNames.Reconstruction : DecoderPrefix + ".logits";
        AppendChain(builder, network, network.Spec.Decoder, DecoderPrefix, OnnxNames.Latent, logits);
        if (output != Activation.None)
        {
            OnnxActivations.Append(builder, output, logits, OnnxNames.Reconstruction, DecoderPrefix + ".output");
        }
    }

    private static void AppendChain(
        OnnxModelBuilder builder, AutoencoderNetwork network, IReadOnlyList<LayerSpec> layers, string prefix, string input, string output)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            string layerOutput = i == layers.Count - 1 ? output : $"{prefix}.{i}.output";
            AppendLayer(builder, network, layers[i], prefix, i, input, layerOutput);
            input = layerOutput;
        }
    }

    // One case per layer kind: a new kind adds its own writer file and a case here.
    private static void AppendLayer(
        OnnxModelBuilder builder, AutoencoderNetwork network, LayerSpec layer, string part, int index, string input, string output)
    {
        string prefix = $"{part}.{index}";
        switch (layer)
        {
            case DenseLayerSpec dense:
                var linear = part == EncoderPrefix ? network.EncoderLayer(index) : network.DecoderLayer(index);
                DenseOnnxLayer.Append(builder, dense, linear, prefix, input, output);
                break;
            default:
                throw new NotSupportedException(
                    $"Layer {index} of the {part} is a {layer.GetType().Name}; ONNX export does not support that layer type.");
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

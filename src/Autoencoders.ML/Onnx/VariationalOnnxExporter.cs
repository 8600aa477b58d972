using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Models;
using Onnx;
using TorchSharp.Modules;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Builds the ONNX graphs of a <see cref="VariationalAutoencoderNetwork"/>: the encoder gives the posterior's mean and
/// (clamped) log-variance, the decoder maps a latent code to the reconstruction with the output activation (the
/// Bernoulli probabilities for binary cross-entropy), and the full graph decodes the mean. No graph samples: sampling
/// needs a seed per row that ONNX's random operators cannot offer, so it stays in the C# API.
/// </summary>
internal static class VariationalOnnxExporter
{
    // Also the state-dict prefixes, so initializers are named like the saved weights.
    private const string EncoderPrefix = "encoder";
    private const string MeanPrefix = "mean";
    private const string LogVariancePrefix = "logVariance";
    private const string DecoderPrefix = "decoder";

    /// <summary>Builds <paramref name="graph"/> of <paramref name="network"/>.</summary>
    /// <param name="network">The trained network.</param>
    /// <param name="graph">Encoder (features → mean, log_variance), decoder (latent → reconstruction) or both
    /// (features → reconstruction, mean, log_variance).</param>
    /// <param name="info">Metadata of the model.</param>
    /// <param name="meanOutput">Name of the mean tensor; the scoring graph of the transforms calls it <c>latent</c>.</param>
    public static ModelProto Build(VariationalAutoencoderNetwork network, OnnxGraphKind graph, OnnxModelInfo info, string meanOutput = OnnxNames.Mean)
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
                AppendEncoder(builder, network, meanOutput);
                builder.AddOutput(meanOutput, spec.LatentSize);
                builder.AddOutput(OnnxNames.LogVariance, spec.LatentSize);
                break;
            case OnnxGraphKind.Decoder:
                builder.AddInput(OnnxNames.Latent, spec.LatentSize);
                AppendDecoder(builder, network, OnnxNames.Latent);
                builder.AddOutput(OnnxNames.Reconstruction, spec.OutputSize);
                break;
            case OnnxGraphKind.Autoencoder:
                builder.AddInput(OnnxNames.Features, spec.InputSize);
                AppendEncoder(builder, network, meanOutput);
                AppendDecoder(builder, network, meanOutput);
                builder.AddOutput(OnnxNames.Reconstruction, spec.OutputSize);
                builder.AddOutput(meanOutput, spec.LatentSize);
                builder.AddOutput(OnnxNames.LogVariance, spec.LatentSize);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(graph), graph, "Choose Encoder, Decoder or Autoencoder.");
        }

        return builder.Build(Describe(network, graph, info, meanOutput), Metadata(network, graphName, info));
    }

    private static void AppendEncoder(OnnxModelBuilder builder, VariationalAutoencoderNetwork network, string meanOutput)
    {
        var layers = network.Spec.Encoder;
        int last = layers.Count - 1;
        string trunk = OnnxNames.Features;
        if (last > 0)
        {
            // Dense or convolutional trunk, written by the same layer-stack writer as the other kinds.
            trunk = EncoderPrefix + ".trunk";
            LayerStackOnnx.Append(builder, network.Trunk, EncoderPrefix, OnnxNames.Features, trunk);
        }

        // Two heads on the trunk: the mean, and the log-variance clamped exactly as torch clamps it.
        var mean = (DenseLayerSpec)layers[last];
        DenseOnnxLayer.Append(builder, mean with { Dropout = 0f }, network.EncoderLayer(last), MeanPrefix, trunk, meanOutput);
        string raw = LogVariancePrefix + ".unclamped";
        DenseOnnxLayer.Append(builder, mean with { Dropout = 0f }, network.LogVarianceLayer, LogVariancePrefix, trunk, raw);
        float clamp = (float)network.Options.LogVarianceClamp;
        builder.AddNode(
            "Clip",
            new[] { raw, builder.Scalar("const.log_variance_min", -clamp), builder.Scalar("const.log_variance_max", clamp) },
            OnnxNames.LogVariance);
    }

    private static void AppendDecoder(OnnxModelBuilder builder, VariationalAutoencoderNetwork network, string input)
    {
        var outputActivation = OnnxActivations.Of(network.Spec.OutputActivation);
        string logits = outputActivation == Activation.None ? OnnxNames.Reconstruction : DecoderPrefix + ".logits";
        LayerStackOnnx.Append(builder, network.DecoderStack, DecoderPrefix, input, logits);
        if (outputActivation != Activation.None)
        {
            OnnxActivations.Append(builder, outputActivation, logits, OnnxNames.Reconstruction, DecoderPrefix + ".output");
        }
    }

    private static string Describe(VariationalAutoencoderNetwork network, OnnxGraphKind graph, OnnxModelInfo info, string meanOutput)
    {
        var spec = network.Spec;
        string Tensor(string name, int width) => $"'{name}' float32 [{OnnxNames.BatchDimension}, {width}]";
        string features = Tensor(OnnxNames.Features, spec.InputSize);
        string heads = $"{Tensor(meanOutput, spec.LatentSize)}, {Tensor(OnnxNames.LogVariance, spec.LatentSize)}";
        string reconstruction = Tensor(OnnxNames.Reconstruction, spec.OutputSize);
        string signature = graph switch
        {
            OnnxGraphKind.Encoder => $"input {features}; outputs {heads}",
            OnnxGraphKind.Decoder => $"input {Tensor(OnnxNames.Latent, spec.LatentSize)}; output {reconstruction}",
            _ => $"input {features}; outputs {reconstruction} (decoded from the mean), {heads}",
        };
        return $"Autoencoders.ML {info.Kind} autoencoder ({spec}), {AutoencoderOnnxExporter.GraphName(graph)} graph: {signature}. " +
            $"q(z|x) = N(mean, exp(log_variance)), prior N(0, I), log_variance clamped to ±{network.Options.LogVarianceClamp.ToString(CultureInfo.InvariantCulture)}. " +
            $"Output activation {spec.OutputActivation}, trained with {info.Loss} loss, input scaling {info.InputScaling}.";
    }

    private static IEnumerable<(string Key, string Value)> Metadata(VariationalAutoencoderNetwork network, string graphName, OnnxModelInfo info)
    {
        var culture = CultureInfo.InvariantCulture;
        var metadata = AutoencoderOnnxExporter.Metadata(network.Spec, graphName, info).Concat(new[]
        {
            ("latent_distribution", "diagonal_gaussian"),
            ("prior", "standard_normal"),
            ("beta", network.Options.Beta.ToString("R", culture)),
            ("log_variance_clamp", network.Options.LogVarianceClamp.ToString("R", culture)),
        });
        return LayerStack.HasImageLayers(network.Spec.Encoder)
            ? metadata.Append(("input_layout", AutoencoderOnnxExporter.FlatChannelMajor)).Append(("image_shape", AutoencoderOnnxExporter.ImageShapeText(network.Spec)))
            : metadata;
    }
}

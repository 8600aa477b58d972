using System.Globalization;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Writes any graph of any model kind with one <see cref="OnnxGraphBuilder"/>: the network writes its own encoder and
/// decoder (from the same layer objects that run in torch, with the trained weights), and the request's scaling,
/// reconstruction error, renaming and one-row form are composed as the graph is written.
/// </summary>
internal static class OnnxExporter
{
    /// <summary>The <c>input_layout</c> metadata value of image models: flat rows of C·H·W values, channel-major (planar).</summary>
    public const string FlatChannelMajor = "flat_chw";

    /// <summary>Builds the graph <paramref name="request"/> asks for, with the model's input scaling inside it.</summary>
    /// <param name="model">A trained model of any kind.</param>
    /// <param name="request">The graph, its outputs, names and form.</param>
    public static ModelProto Build(AutoencoderModel model, OnnxExportRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        var network = model.Network;
        var spec = network.Spec;
        string graphName = GraphName(request.Graph);
        var graph = new OnnxGraphBuilder(
            $"autoencoders_ml_{model.Kind}_{graphName}", new OnnxGraphOptions(model.Scaling, request.Rename, request.PerRow, request.Outputs));

        string code = request.Code ?? network.CodeOutput;
        var codes = Array.Empty<string>() as IReadOnlyList<string>;
        string latent = request.Graph == OnnxGraphKind.Decoder
            ? graph.AddInput(OnnxNames.Latent, spec.LatentSize)
            : graph.OutputTarget(code);
        if (request.Graph != OnnxGraphKind.Decoder)
        {
            codes = network.EmitEncoder(graph, graph.AddInput(OnnxNames.Features, spec.InputSize), code);
        }

        if (request.Graph != OnnxGraphKind.Encoder)
        {
            network.EmitDecoder(graph, latent, graph.OutputTarget(OnnxNames.Reconstruction));
            graph.AddOutput(OnnxNames.Reconstruction, spec.OutputSize);
        }

        foreach (string name in codes)
        {
            graph.AddOutput(name, network.OutputWidth(name));
        }

        if (request.Outputs?.Contains(OnnxScoringGraph.ReconstructionError) == true)
        {
            AddReconstructionError(graph);
        }

        string scaling = model.Scaling == null ? "none" : $"{model.Scaling.Name} (inside the graph: feed raw values)";
        string image = spec.Image is { } shape ? $"{shape.Channels}x{shape.Height}x{shape.Width}" : string.Empty;
        return graph.Build(
            signature =>
                $"Autoencoders.ML {model.Kind} autoencoder ({spec}), {graphName} graph: {signature}. {network.OnnxNote}" +
                $"Output activation {spec.OutputActivation}, trained with {model.Loss} loss, input scaling {scaling}." +
                (image.Length == 0 ? string.Empty : $" Rows are flat images {image} (channels x height x width), channel-major as ML.NET ExtractPixels writes by default."),
            Metadata(model, graphName, scaling, image));
    }

    /// <summary>The lower-case name of a graph kind, as written to the <c>graph</c> metadata entry.</summary>
    public static string GraphName(OnnxGraphKind graph) => graph switch
    {
        OnnxGraphKind.Encoder => "encoder",
        OnnxGraphKind.Decoder => "decoder",
        OnnxGraphKind.Autoencoder => "autoencoder",
        _ => throw new ArgumentOutOfRangeException(nameof(graph), graph, "Choose Encoder, Decoder or Autoencoder."),
    };

    // Mean over each row of (reconstruction − features)², both in the data's units: [batch].
    private static void AddReconstructionError(OnnxGraphBuilder graph)
    {
        graph.AddNode("Sub", new[] { graph.DataTensor(OnnxNames.Reconstruction), graph.DataTensor(OnnxNames.Features) }, "error.difference");
        graph.AddNode("Mul", new[] { "error.difference", "error.difference" }, "error.squared");
        graph.AddNode(
            "ReduceMean", new[] { "error.squared" }, graph.OutputTarget(OnnxScoringGraph.ReconstructionError),
            OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 0));
        graph.AddOutput(OnnxScoringGraph.ReconstructionError, width: null);
    }

    private static IEnumerable<(string Key, string Value)> Metadata(AutoencoderModel model, string graphName, string scaling, string image)
    {
        var culture = CultureInfo.InvariantCulture;
        var spec = model.Spec;
        var metadata = new List<(string Key, string Value)>
        {
            ("kind", model.Kind),
            ("graph", graphName),
            ("input_size", spec.InputSize.ToString(culture)),
            ("latent_size", spec.LatentSize.ToString(culture)),
            ("output_size", spec.OutputSize.ToString(culture)),
            ("loss", model.Loss.ToString()),
            ("input_scaling", scaling),
            ("output_activation", spec.OutputActivation.ToString()),
            ("architecture", spec.ToJson()),
        };
        metadata.AddRange(model.Network.OnnxMetadata());
        if (image.Length > 0)
        {
            metadata.Add(("input_layout", FlatChannelMajor));
            metadata.Add(("image_shape", image));
        }

        return metadata;
    }
}

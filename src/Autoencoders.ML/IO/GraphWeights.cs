using System.IO;
using Onnx;

namespace Autoencoders.ML.IO;

/// <summary>
/// Rebuilds a model from one of this library's ONNX graphs alone — for pipelines saved before the whole model was kept
/// in them (<see cref="EmbeddedModel"/>). The graph's <c>architecture</c> metadata gives the network, its <c>loss</c> the
/// loss, and its initializers, named after the network's state dict, the weights. What a graph does not hold cannot come
/// back: the training options are the defaults and the history is empty; a graph without the decoder, with input
/// scaling folded in, or of a kind whose options it does not record is refused with what to do instead.
/// </summary>
internal static class GraphWeights
{
    /// <summary>Whether <paramref name="graph"/> was written by this library (an architecture in its metadata).</summary>
    public static bool IsOurs(ModelProto graph) =>
        graph.ProducerName == "Autoencoders.ML" && graph.MetadataProps.Any(p => p.Key == "architecture");

    /// <summary>The model whose weights <paramref name="graph"/> holds.</summary>
    /// <exception cref="InvalidDataException">The graph does not hold everything the model needs; the message names what and what to do.</exception>
    public static AutoencoderModel Read(ModelProto graph, string source)
    {
        string Meta(string key) => graph.MetadataProps.FirstOrDefault(p => p.Key == key)?.Value
            ?? throw new InvalidDataException($"'{source}': the graph has no '{key}' metadata, so the model cannot be rebuilt from it. Load the model folder, or save the pipeline again with this version.");
        string again = "Load the model folder (AutoencoderModel.Save / 'autoencoders train --out'), or save the pipeline again with this version, which keeps the whole model.";
        if (Meta("input_scaling") != "none")
        {
            throw new InvalidDataException($"'{source}': the graph has input scaling '{Meta("input_scaling")}' folded into it, which cannot be separated from the weights. {again}");
        }

        AutoencoderSpec spec;
        ReconstructionLoss loss;
        try
        {
            spec = AutoencoderSpec.FromJson(Meta("architecture"));
            loss = Enum.Parse<ReconstructionLoss>(Meta("loss"));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"'{source}': the graph's architecture or loss metadata is not readable ({e.Message}). {again}", e);
        }

        var weights = graph.Graph.Initializer.ToDictionary(t => t.Name, t => t);
        var options = new AutoencoderOptions { Loss = loss, LatentSize = spec.LatentSize };
        Runtime.TorchRuntime.EnsureInitialized();
        var network = ModelKinds.CreateNetwork(spec, options);
        try
        {
            string kind = Meta("kind");
            if (network.Kind != kind && kind != "denoising")
            {
                throw new InvalidDataException($"'{source}': the graph is of a {kind} model, whose options it does not record. {again}");
            }

            using (torch.no_grad())
            {
                foreach (var (name, value) in network.state_dict())
                {
                    if (!weights.TryGetValue(name, out var tensor) || tensor.FloatData.Count != value.numel())
                    {
                        throw new InvalidDataException(
                            $"'{source}': the graph does not hold '{name}' ({value.numel():N0} values){(tensor == null ? string.Empty : $"; it has {tensor.FloatData.Count:N0}")}, e.g. because it is an encoder-only graph. {again}");
                    }

                    using var loaded = torch.tensor(tensor.FloatData.ToArray(), value.shape);
                    value.copy_(loaded);
                }
            }

            ModelConfigCheck.CheckFinite(source, network);
            var history = new TrainingHistory(Array.Empty<EpochReport>(), 0, false, "training");
            return new AutoencoderModel(network, options, new TrainingOptions(), history);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}

using System.Globalization;
using Autoencoders.ML.Onnx;
using Onnx;

namespace Autoencoders.ML.Classification;

/// <summary>
/// The classifier's ONNX graph, <c>classifier.onnx</c>: <c>features</c> [batch, input size] → the encoder (input
/// scaling inside) → the dense head → Softmax → <c>probabilities</c> [batch, classes]. metadata_props <c>labels</c>
/// lists the class values in output order, comma-separated. Transforms also ask for <c>predicted_index</c> [batch]
/// (ArgMax as float).
/// </summary>
internal static class ClassifierOnnx
{
    /// <summary>The file name the CLI writes.</summary>
    public const string FileName = "classifier.onnx";

    /// <summary>Builds the graph.</summary>
    /// <param name="classifier">The trained classifier.</param>
    /// <param name="outputs">Outputs to keep, in order (null: <see cref="OnnxNames.Probabilities"/> only).</param>
    /// <param name="rename">Tensor name → new name for inputs and outputs (null keeps the contract names).</param>
    /// <param name="perRow">One row per run (ML.NET's OnnxTransformer).</param>
    internal static ModelProto Build(
        AutoencoderClassifier classifier, IReadOnlyList<string>? outputs = null, IReadOnlyDictionary<string, string>? rename = null, bool perRow = false)
    {
        var network = classifier.Network;
        var spec = network.Autoencoder.Spec;
        var graph = new OnnxGraphBuilder(
            "autoencoders_ml_classifier", new OnnxGraphOptions(classifier.Model.Scaling, rename, perRow, outputs ?? new[] { OnnxNames.Probabilities }));
        string input = graph.AddInput(OnnxNames.Features, spec.InputSize);
        const string code = "classifier.code";
        network.Autoencoder.EmitEncoder(graph, input, code);
        network.HeadSpec.Emit(graph, network.Head, ClassifierNetwork.HeadPrefix, graph.OutputTarget(code), "head.logits");
        graph.AddNode("Softmax", new[] { "head.logits" }, graph.OutputTarget(OnnxNames.Probabilities), OnnxGraphBuilder.Int("axis", 1));
        graph.AddOutput(OnnxNames.Probabilities, network.Classes);
        graph.AddNode("ArgMax", new[] { "head.logits" }, "head.argmax", OnnxGraphBuilder.Int("axis", 1), OnnxGraphBuilder.Int("keepdims", 0));
        graph.AddNode("Cast", new[] { "head.argmax" }, graph.OutputTarget(OnnxNames.PredictedIndex), OnnxGraphBuilder.Int("to", (long)TensorProto.Types.DataType.Float));
        graph.AddOutput(OnnxNames.PredictedIndex, width: null);

        var culture = CultureInfo.InvariantCulture;
        string scaling = classifier.Model.Scaling == null ? "none" : $"{classifier.Model.Scaling.Name} (inside the graph: feed raw values)";
        var metadata = new List<(string Key, string Value)>
        {
            ("kind", "classifier"),
            ("graph", "classifier"),
            ("input_size", spec.InputSize.ToString(culture)),
            ("classes", network.Classes.ToString(culture)),
            (OnnxNames.LabelsKey, string.Join(",", classifier.Classes.Text)),
            ("input_scaling", scaling),
            ("encoder_kind", classifier.Model.Kind),
            ("architecture", spec.ToJson()),
        };
        if (spec.Image is { } image)
        {
            metadata.Add(("input_layout", OnnxExporter.FlatChannelMajor));
            metadata.Add(("image_shape", $"{image.Channels}x{image.Height}x{image.Width}"));
        }

        return graph.Build(
            signature => $"Autoencoders.ML classifier: the fine-tuned encoder of a {classifier.Model.Kind} autoencoder ({spec}) and a dense head of " +
                $"{network.Classes} classes with softmax: {signature}. Input scaling {scaling}. The 'labels' metadata lists the classes in output order.",
            metadata);
    }
}

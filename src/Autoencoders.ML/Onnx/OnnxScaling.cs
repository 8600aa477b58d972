using System.Collections.Generic;
using System.Linq;
using Autoencoders.ML.Models;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Puts a model's <see cref="FeatureScaling"/> inside an exported graph: <c>features</c> is scaled on the way in and
/// <c>reconstruction</c> unscaled on the way out, so deployment feeds raw values and gets raw values back.
/// </summary>
internal static class OnnxScaling
{
    public static void Apply(ModelProto model, FeatureScaling? scaling)
    {
        if (scaling == null)
        {
            return;
        }

        var graph = model.Graph;
        if (graph.Input.Any(i => i.Name == OnnxNames.Features))
        {
            const string scaled = OnnxNames.Features + ".scaled";
            OnnxScoringGraph.Rename(graph, new Dictionary<string, string> { [OnnxNames.Features] = scaled }, includeGraphIO: false);
            var head = new[]
            {
                Node("Sub", new[] { OnnxNames.Features, Constant(graph, "scaling.input_shift", scaling.InputShift) }, "scaling.input_shifted"),
                Node("Mul", new[] { "scaling.input_shifted", Constant(graph, "scaling.input_scale", scaling.InputScale) }, scaled, "scaling.input"),
            };
            var body = graph.Node.ToList();
            graph.Node.Clear();
            graph.Node.Add(head.Concat(body));
        }

        if (graph.Output.Any(o => o.Name == OnnxNames.Reconstruction))
        {
            const string scaled = OnnxNames.Reconstruction + ".scaled";
            OnnxScoringGraph.Rename(graph, new Dictionary<string, string> { [OnnxNames.Reconstruction] = scaled }, includeGraphIO: false);
            graph.Node.Add(Node("Div", new[] { scaled, Constant(graph, "scaling.output_scale", scaling.OutputScale) }, "scaling.output_unscaled"));
            graph.Node.Add(Node("Add", new[] { "scaling.output_unscaled", Constant(graph, "scaling.output_shift", scaling.OutputShift) }, OnnxNames.Reconstruction, "scaling.output"));
        }
    }

    private static string Constant(GraphProto graph, string name, float[] values)
    {
        if (graph.Initializer.All(i => i.Name != name))
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.Add(values.Length);
            tensor.FloatData.Add(values);
            graph.Initializer.Add(tensor);
        }

        return name;
    }

    // Node names must be unique: renamed tensors keep their producers' old node names.
    private static NodeProto Node(string op, string[] inputs, string output, string? name = null)
    {
        var node = new NodeProto { OpType = op, Name = name ?? output, Domain = string.Empty };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }
}

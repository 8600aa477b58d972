using System;
using System.Collections.Generic;
using System.Linq;
using Autoencoders.ML.Models;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// The graph a transform runs: the encoder or the full autoencoder, cut down to the requested outputs, optionally with a
/// per-row reconstruction error, and optionally with its inputs and outputs renamed (so that ML.NET's OnnxTransformer,
/// which maps tensor names to column names, can carry it inside a saved model).
/// </summary>
internal static class OnnxScoringGraph
{
    /// <summary>Per-row mean squared error between the reconstruction and the input, shape [batch].</summary>
    public const string ReconstructionError = "reconstruction_error";

    /// <summary>Builds the scoring graph.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="outputs">Requested outputs among <see cref="OnnxNames.Latent"/>, <see cref="OnnxNames.Reconstruction"/> and <see cref="ReconstructionError"/> (and <see cref="OnnxNames.LogVariance"/> for a variational model, whose latent is the posterior mean), in the order wanted.</param>
    /// <param name="rename">Tensor name → new name for graph inputs and outputs (null keeps the contract names).</param>
    /// <param name="perRow">
    /// Declare one row per run: input [InputSize], vector outputs [size], the error a scalar. ML.NET's OnnxTransformer
    /// runs one row at a time and turns a [batch, n] output into a Vector&lt;Single, 1, n&gt; column, which trainers reject;
    /// the per-row form gives Vector&lt;Single, n&gt;, and Vector&lt;Single, 1&gt; for the error.
    /// </param>
    public static ModelProto Build(
        AutoencoderModel model, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, string>? rename = null, bool perRow = false)
    {
        bool needsDecoder = outputs.Contains(OnnxNames.Reconstruction) || outputs.Contains(ReconstructionError);
        var kind = needsDecoder ? OnnxGraphKind.Autoencoder : OnnxGraphKind.Encoder;
        ModelProto onnx;
        if (model.Network is VariationalAutoencoderNetwork variational)
        {
            // The transform's code column is the posterior mean, under the graph name every transform reads.
            onnx = VariationalOnnxExporter.Build(variational, kind, OnnxExportExtensions.Info(model), meanOutput: OnnxNames.Latent);
            OnnxScaling.Apply(onnx, model.Scaling);
        }
        else
        {
            onnx = OnnxExportExtensions.Build(model, kind);
        }
        var graph = onnx.Graph;
        if (outputs.Contains(ReconstructionError))
        {
            AppendError(graph);
        }

        var byName = graph.Output.ToDictionary(o => o.Name);
        graph.Output.Clear();
        foreach (string name in outputs)
        {
            graph.Output.Add(byName.TryGetValue(name, out var output)
                ? output
                : throw new ArgumentException($"The graph has no output '{name}'.", nameof(outputs)));
        }

        if (rename != null)
        {
            Rename(graph, rename);
        }

        if (perRow)
        {
            ToPerRow(graph);
        }

        return onnx;
    }

    /// <summary>Turns a [batch, n] graph into the one-row form ML.NET's OnnxTransformer needs (see <see cref="Build"/>).</summary>
    internal static void ToPerRow(GraphProto graph)
    {
        var input = graph.Input.Single();
        long width = input.Type.TensorType.Shape.Dim[1].DimValue;
        string batched = input.Name + ".rows";
        Rename(graph, new Dictionary<string, string> { [input.Name] = batched }, includeGraphIO: false);
        SetShape(input, width);
        var head = new List<NodeProto> { Reshape(graph, input.Name, batched, 1, -1) };

        var tail = new List<NodeProto>();
        foreach (var output in graph.Output)
        {
            string rows = output.Name + ".rows";
            Rename(graph, new Dictionary<string, string> { [output.Name] = rows }, includeGraphIO: false);
            var dims = output.Type.TensorType.Shape.Dim;
            if (dims.Count == 2)
            {
                SetShape(output, dims[1].DimValue);
                tail.Add(Reshape(graph, rows, output.Name, -1));
            }
            else
            {
                // A rank-0 output would be the natural scalar, but ML.NET's OnnxTransformer cannot read one (its getter
                // throws); [1] loads as Vector<Single, 1>.
                SetShape(output, 1);
                tail.Add(Reshape(graph, rows, output.Name, 1));
            }
        }

        var body = graph.Node.ToList();
        graph.Node.Clear();
        graph.Node.Add(head.Concat(body).Concat(tail));
    }

    private static NodeProto Reshape(GraphProto graph, string input, string output, params long[] shape)
    {
        var constant = new TensorProto { Name = output + ".shape", DataType = (int)TensorProto.Types.DataType.Int64 };
        constant.Dims.Add(shape.Length);
        constant.Int64Data.Add(shape);
        graph.Initializer.Add(constant);
        var node = new NodeProto { OpType = "Reshape", Name = output, Domain = string.Empty };
        node.Input.Add(new[] { input, constant.Name });
        node.Output.Add(output);
        return node;
    }

    private static void SetShape(ValueInfoProto value, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long dim in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        value.Type.TensorType.Shape = shape;
    }

    private static void AppendError(GraphProto graph)
    {
        AddNode(graph, "Sub", new[] { OnnxNames.Reconstruction, OnnxNames.Features }, "error.difference");
        AddNode(graph, "Mul", new[] { "error.difference", "error.difference" }, "error.squared");
        var mean = AddNode(graph, "ReduceMean", new[] { "error.squared" }, ReconstructionError);
        var axes = new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints };
        axes.Ints.Add(1);
        mean.Attribute.Add(axes);
        mean.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });

        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxNames.BatchDimension });
        graph.Output.Add(new ValueInfoProto
        {
            Name = ReconstructionError,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        });
    }

    private static NodeProto AddNode(GraphProto graph, string opType, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = output, Domain = string.Empty };
        node.Input.Add(inputs);
        node.Output.Add(output);
        graph.Node.Add(node);
        return node;
    }

    /// <summary>Renames tensors everywhere in the graph (and its inputs and outputs unless told otherwise).</summary>
    internal static void Rename(GraphProto graph, IReadOnlyDictionary<string, string> rename, bool includeGraphIO = true)
    {
        string Map(string name) => rename.TryGetValue(name, out var renamed) ? renamed : name;
        if (includeGraphIO)
        {
            foreach (var value in graph.Input.Concat(graph.Output))
            {
                value.Name = Map(value.Name);
            }
        }

        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                node.Input[i] = Map(node.Input[i]);
            }

            for (int i = 0; i < node.Output.Count; i++)
            {
                node.Output[i] = Map(node.Output[i]);
            }
        }
    }
}

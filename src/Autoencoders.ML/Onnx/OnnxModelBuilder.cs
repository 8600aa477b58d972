using System;
using System.Collections.Generic;
using System.Reflection;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Accumulates one ONNX graph (float32 tensors, a symbolic batch dimension, opset <see cref="OpsetVersion"/> of the
/// default domain) and wraps it in a model. Tensor and node names must be unique; nodes take the name of their output.
/// </summary>
internal sealed class OnnxModelBuilder
{
    /// <summary>Opset of the default domain: 17 is the lowest with every operator used here and is widely supported.</summary>
    public const long OpsetVersion = 17;

    /// <summary>IR version 8 is the one that goes with opset 17.</summary>
    public const long IrVersion = 8;

    private const string ProducerName = "Autoencoders.ML";
    private static readonly int FloatType = (int)TensorProto.Types.DataType.Float;

    private readonly GraphProto graph;
    private readonly HashSet<string> scalars = new(StringComparer.Ordinal);

    /// <summary>Starts an empty graph called <paramref name="graphName"/>.</summary>
    public OnnxModelBuilder(string graphName) => graph = new GraphProto { Name = graphName };

    /// <summary>Declares a graph input of shape [batch, <paramref name="width"/>].</summary>
    public void AddInput(string name, int width) => graph.Input.Add(BatchTensor(name, width));

    /// <summary>Declares a graph output of shape [batch, <paramref name="width"/>]; outputs keep the order they are added in.</summary>
    public void AddOutput(string name, int width) => graph.Output.Add(BatchTensor(name, width));

    /// <summary>Adds a constant float tensor of shape <paramref name="dims"/> and returns its name.</summary>
    public string AddInitializer(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = FloatType };
        tensor.Dims.Add(dims);
        // float_data is packed and endian-neutral, unlike raw_data.
        tensor.FloatData.Add(values);
        graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Returns the name of a scalar float constant, adding it on first use so that every layer shares it.</summary>
    public string Scalar(string name, float value)
    {
        if (scalars.Add(name))
        {
            AddInitializer(name, new[] { value });
        }

        return name;
    }

    /// <summary>Adds a node of the default domain with one output; the node is named after that output.</summary>
    public void AddNode(string opType, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output, Domain = string.Empty };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        graph.Node.Add(node);
    }

    /// <summary>A float attribute.</summary>
    public static AttributeProto FloatAttribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An integer attribute.</summary>
    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>Wraps the graph in a model with producer information, a description and metadata_props.</summary>
    public ModelProto Build(string docString, IEnumerable<(string Key, string Value)> metadata)
    {
        graph.DocString = docString;
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    private static string ProducerVersion { get; } =
        typeof(OnnxModelBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(OnnxModelBuilder).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private static ValueInfoProto BatchTensor(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxNames.BatchDimension });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = shape } },
        };
    }
}

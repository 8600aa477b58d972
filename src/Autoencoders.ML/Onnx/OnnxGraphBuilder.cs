using System.Reflection;
using Google.Protobuf;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// The one way every ONNX graph of this library is written (float32 tensors, a symbolic batch dimension, opset
/// <see cref="OpsetVersion"/> of the default domain): inputs, outputs, nodes, constants and attributes. The graph-wide
/// <see cref="OnnxGraphOptions"/> are applied while the graph is written: an input is declared under its final name,
/// reshaped from one row to [1, n] and scaled before the network reads it; an output is unscaled, reshaped back to one
/// row and named as asked after the network writes it. The network in between always sees [batch, n] tensors in its
/// own units. Tensor and node names must be unique; a node takes the name of its output.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>Opset of the default domain: 17 is the lowest with every operator used here and is widely supported.</summary>
    public const long OpsetVersion = 17;

    /// <summary>IR version 8 is the one that goes with opset 17.</summary>
    public const long IrVersion = 8;

    private const string ProducerName = "Autoencoders.ML";
    private static readonly int FloatType = (int)TensorProto.Types.DataType.Float;

    private readonly GraphProto graph;
    private readonly OnnxGraphOptions options;
    private readonly HashSet<string> constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> dataTensors = new(StringComparer.Ordinal);
    private readonly List<(string Name, int? Width)> outputs = new();
    private readonly List<string> inputSignature = new();

    /// <summary>Starts an empty graph called <paramref name="graphName"/>.</summary>
    /// <param name="graphName">The graph's name.</param>
    /// <param name="options">Scaling, renaming, one-row form and the outputs to keep; null for none of them.</param>
    public OnnxGraphBuilder(string graphName, OnnxGraphOptions? options = null)
    {
        graph = new GraphProto { Name = graphName };
        this.options = options ?? new OnnxGraphOptions();
    }

    /// <summary>
    /// Declares graph input <paramref name="name"/> (a contract name from <see cref="OnnxNames"/>) of
    /// <paramref name="width"/> values per row and returns the tensor the network reads: [batch, width], scaled when
    /// it is <see cref="OnnxNames.Features"/> and the options carry a scaling.
    /// </summary>
    public string AddInput(string name, int width)
    {
        string external = options.External(name);
        graph.Input.Add(Value(external, Dims(width)));
        inputSignature.Add(Describe(external, width));
        string batched = external;
        if (options.PerRow)
        {
            batched = external + ".rows";
            AddNode("Reshape", new[] { external, Int64(batched + ".shape", 1, -1) }, batched);
        }

        dataTensors[name] = batched;
        if (options.Scaling is not { } scaling || name != OnnxNames.Features)
        {
            return batched;
        }

        const string scaled = OnnxNames.Features + ".scaled";
        AddNode("Sub", new[] { batched, Floats("scaling.input_shift", scaling.InputShift, scaling.InputShift.Length) }, "scaling.input_shifted");
        AddNode("Mul", new[] { "scaling.input_shifted", Floats("scaling.input_scale", scaling.InputScale, scaling.InputScale.Length) }, scaled);
        return scaled;
    }

    /// <summary>The tensor the network must write for output <paramref name="name"/>: [batch, n] in the network's units.</summary>
    public string OutputTarget(string name) => Unscales(name) ? name + ".scaled" : Batched(name);

    /// <summary>
    /// Declares output <paramref name="name"/>, which the network has written at <see cref="OutputTarget"/>:
    /// <paramref name="width"/> values per row, or null for one value per row ([batch]).
    /// </summary>
    public void AddOutput(string name, int? width)
    {
        string batched = Batched(name);
        if (Unscales(name))
        {
            var scaling = options.Scaling!;
            AddNode("Div", new[] { OutputTarget(name), Floats("scaling.output_scale", scaling.OutputScale, scaling.OutputScale.Length) }, "scaling.output_unscaled");
            AddNode("Add", new[] { "scaling.output_unscaled", Floats("scaling.output_shift", scaling.OutputShift, scaling.OutputShift.Length) }, batched);
        }

        dataTensors[name] = batched;
        outputs.Add((name, width));
    }

    /// <summary>The [batch, n] tensor of an input as fed (before scaling) or of a declared output in the data's units.</summary>
    public string DataTensor(string name) =>
        dataTensors.TryGetValue(name, out var tensor)
            ? tensor
            : throw new InvalidOperationException($"The graph has no input or output '{name}' yet; declare it before reading it.");

    /// <summary>Adds a node of the default domain with one output; the node is named after that output.</summary>
    public void AddNode(string opType, IEnumerable<string> inputs, string output, params AttributeProto[] attributes) =>
        AddNode(opType, inputs, new[] { output }, attributes);

    /// <summary>Adds a node with several outputs (e.g. TopK's values and indices); the node is named after the first.</summary>
    public void AddNode(string opType, IEnumerable<string> inputs, IReadOnlyList<string> outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = outputs[0], Domain = string.Empty };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        graph.Node.Add(node);
    }

    /// <summary>Adds a float constant of shape <paramref name="dims"/> (once per name) and returns its name.</summary>
    public string Floats(string name, float[] values, params long[] dims) =>
        Constant(name, TensorProto.Types.DataType.Float, dims, tensor => tensor.FloatData.Add(values));

    /// <summary>Adds a float32 copy of a torch parameter or buffer, in torch's (row-major) order, and returns its name.</summary>
    public string Floats(string name, TorchSharp.torch.Tensor tensor) =>
        Floats(name, tensor.detach().cpu().to_type(TorchSharp.torch.ScalarType.Float32).contiguous().data<float>().ToArray(), tensor.shape);

    /// <summary>A scalar float constant, shared by every node that asks for the same name.</summary>
    public string Scalar(string name, float value) => Floats(name, new[] { value });

    /// <summary>Adds a 1-D int64 constant (a shape, slice bounds, pads) and returns its name.</summary>
    public string Int64(string name, params long[] values) =>
        Constant(name, TensorProto.Types.DataType.Int64, new long[] { values.Length }, tensor => tensor.Int64Data.Add(values));

    /// <summary>A rank-0 int64 constant (a Gather index) and its name.</summary>
    public string Int64Scalar(string name, long value) =>
        Constant(name, TensorProto.Types.DataType.Int64, Array.Empty<long>(), tensor => tensor.Int64Data.Add(value));

    /// <summary>A float attribute.</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>An integer-list attribute such as <c>kernel_shape</c> or <c>pads</c>.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    /// <summary>A string attribute such as Resize's <c>mode</c>.</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>
    /// Declares the outputs (those asked for in <see cref="OnnxGraphOptions.Outputs"/>, in that order, or all of them in
    /// the order declared) and wraps the graph in a model with producer information, a description and metadata_props.
    /// </summary>
    /// <param name="describe">Writes the description from the graph's signature, e.g. <c>input 'features' float32 [batch, 784]; output ...</c>.</param>
    /// <param name="metadata">The metadata_props entries.</param>
    public ModelProto Build(Func<string, string> describe, IEnumerable<(string Key, string Value)> metadata)
    {
        var signature = new List<string>();
        foreach (string name in options.Outputs ?? outputs.Select(o => o.Name).ToList())
        {
            int index = outputs.FindIndex(o => o.Name == name);
            if (index < 0)
            {
                throw new ArgumentException(
                    $"The graph has no output '{name}'; it has {string.Join(", ", outputs.Select(o => $"'{o.Name}'"))}. Ask for one of those.", nameof(options));
            }

            int? width = outputs[index].Width;
            string external = options.External(name);
            if (options.PerRow)
            {
                // A rank-0 output would be the natural scalar, but ML.NET's OnnxTransformer cannot read one (its getter
                // throws); [1] loads as Vector<Single, 1>.
                AddNode("Reshape", new[] { Batched(name), Int64(external + ".shape", width is null ? 1 : -1) }, external);
            }

            graph.Output.Add(Value(external, Dims(width)));
            signature.Add(Describe(external, width));
        }

        string doc = describe(
            $"{(inputSignature.Count == 1 ? "input" : "inputs")} {string.Join(", ", inputSignature)}; " +
            $"{(signature.Count == 1 ? "output" : "outputs")} {string.Join(", ", signature)}");
        graph.DocString = doc;
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            DocString = doc,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        // Last, so that a damaged weight or metadata value is caught by every reader of this library (OnnxIntegrity.Verify).
        OnnxIntegrity.Seal(model);
        return model;
    }

    private static string ProducerVersion { get; } =
        typeof(OnnxGraphBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private bool Unscales(string name) => options.Scaling != null && name == OnnxNames.Reconstruction;

    // The [batch, n] form of an output in the data's units; with one row per run it is reshaped to the final name.
    private string Batched(string name) => options.PerRow ? options.External(name) + ".rows" : options.External(name);

    // [batch, n], [batch] for one value per row; one row per run drops the batch and keeps at least one value.
    private long?[] Dims(int? width) =>
        options.PerRow ? new long?[] { width ?? 1 } : width is int w ? new long?[] { null, w } : new long?[] { null };

    private string Describe(string name, int? width) =>
        $"'{name}' float32 [{string.Join(", ", Dims(width).Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? OnnxNames.BatchDimension))}]";

    private string Constant(string name, TensorProto.Types.DataType type, long[] dims, Action<TensorProto> fill)
    {
        if (constants.Add(name))
        {
            var tensor = new TensorProto { Name = name, DataType = (int)type };
            tensor.Dims.Add(dims);
            // float_data and int64_data are packed and endian-neutral, unlike raw_data.
            fill(tensor);
            graph.Initializer.Add(tensor);
        }

        return name;
    }

    // A float32 tensor; a null dimension is the symbolic batch dimension.
    private static ValueInfoProto Value(string name, long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long? dim in dims)
        {
            shape.Dim.Add(dim is long value
                ? new TensorShapeProto.Types.Dimension { DimValue = value }
                : new TensorShapeProto.Types.Dimension { DimParam = OnnxNames.BatchDimension });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = shape } },
        };
    }
}

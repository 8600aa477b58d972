using System.Text.Json.Serialization;
using Autoencoders.ML.Onnx;
using TorchSharp.Modules;

namespace Autoencoders.ML.Layers;

/// <summary>
/// A fully connected layer y = activation(x·Wᵀ + b), optionally followed by dropout during training. Its module is a
/// <see cref="Linear"/> (state-dict keys <c>weight</c>, <c>bias</c>); in ONNX it is a Gemm node and the activation.
/// </summary>
/// <param name="In">Input width.</param>
/// <param name="Out">Output width.</param>
/// <param name="Act">Activation after the affine map.</param>
/// <param name="Dropout">Dropout probability applied after the activation while training (0 = none).</param>
internal sealed record DenseLayerSpec(int In, int Out, Activation Act, float Dropout = 0f) : LayerSpec
{
    /// <inheritdoc />
    [JsonIgnore]
    public override int InputSize => In;

    /// <inheritdoc />
    [JsonIgnore]
    public override int OutputSize => Out;

    /// <inheritdoc />
    [JsonIgnore]
    public override Activation Activation => Act;

    /// <summary>Number of trainable parameters (weights and biases).</summary>
    [JsonIgnore]
    public override long ParameterCount => ((long)In * Out) + Out;

    /// <inheritdoc />
    internal override nn.Module<Tensor, Tensor> CreateModule() => nn.Linear(In, Out);

    /// <inheritdoc />
    /// <remarks>The product runs in bfloat16 when the trainer asks for it (<see cref="MatmulPrecision"/>).</remarks>
    internal override Tensor Forward(nn.Module<Tensor, Tensor> module, Tensor x, bool training)
    {
        x = Activations.Apply(MatmulPrecision.Linear(AsLinear(module, "A dense layer"), x), Act);
        return Dropout > 0f && training ? nn.functional.dropout(x, Dropout, training: true) : x;
    }

    /// <inheritdoc />
    internal override void Emit(OnnxGraphBuilder graph, nn.Module<Tensor, Tensor> module, string prefix, string input, string output) =>
        Emit(graph, AsLinear(module, $"Layer '{prefix}'"), prefix, input, output);

    private static Linear AsLinear(nn.Module<Tensor, Tensor> module, string what) =>
        module as Linear ?? throw new InvalidOperationException(
            $"{what} has a {module.GetType().Name} module where its dense spec needs a Linear; build the module with CreateModule.");

    /// <summary>
    /// Writes Y = activation(X·Wᵀ + b) for <paramref name="linear"/> (a layer's module, or a head of the same shape). The
    /// weight stays as torch stores it, (out, in), and Gemm transposes it (transB = 1). Dropout is training-only and has no node.
    /// </summary>
    internal void Emit(OnnxGraphBuilder graph, Linear linear, string prefix, string input, string output)
    {
        using var scope = NewDisposeScope();
        var shape = linear.weight!.shape;
        if (shape.Length != 2 || shape[0] != Out || shape[1] != In)
        {
            // A mismatch would otherwise only surface when a runtime loads the graph, far from its cause.
            throw new InvalidOperationException(
                $"Layer '{prefix}' has weights of shape [{string.Join(", ", shape)}] but its spec says {In}→{Out}; export the module built from this spec.");
        }

        var inputs = linear.bias is null
            ? new[] { input, graph.Floats(prefix + ".weight", linear.weight) }
            : new[] { input, graph.Floats(prefix + ".weight", linear.weight), graph.Floats(prefix + ".bias", linear.bias) };
        string affine = Activations.Input(Act, output, prefix + ".linear");
        graph.AddNode("Gemm", inputs, affine, OnnxGraphBuilder.Int("transB", 1));
        Activations.Emit(graph, Act, affine, output, prefix);
    }
}

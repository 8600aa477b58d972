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

    /// <summary>
    /// True when a training step can run this layer without autograd (<see cref="TrainingForward"/>,
    /// <see cref="Backward"/>): no dropout, and an activation whose derivative follows from its output.
    /// </summary>
    internal bool TrainsWithoutAutograd => Dropout == 0f && Activations.HasOutputDerivative(Act);

    /// <summary>
    /// The forward pass of a training step written without autograd: activation(x·Wᵀ + b) as one addmm and the
    /// activation in place, in x's number type (bfloat16 inside a bfloat16 <see cref="LayerStack"/> run). The result is
    /// kept for <see cref="Backward"/>. Call under <c>no_grad</c>.
    /// </summary>
    /// <param name="module">The layer's module.</param>
    /// <param name="x">The layer's input.</param>
    /// <param name="weight">The weight in x's number type (a bfloat16 copy in a bfloat16 step), for <see cref="Backward"/>.</param>
    internal Tensor TrainingForward(nn.Module<Tensor, Tensor> module, Tensor x, out Tensor weight)
    {
        var linear = AsLinear(module, "A dense layer");
        weight = linear.weight!;
        Tensor? bias = linear.bias;
        if (x.dtype != weight.dtype)
        {
            weight = weight.to(x.dtype);
            bias = bias?.to(x.dtype);
        }

        var affine = bias is null ? x.mm(weight.t()) : addmm(bias, x, weight.t(), 1, 1);
        return Activations.ApplyInPlace(affine, Act);
    }

    /// <summary>
    /// The backward pass of <see cref="TrainingForward"/>, checked against autograd (<c>ManualBackwardTests</c>): from
    /// the gradient of the layer's output, writes (not adds) the weight gradient gᵀ·x and the bias gradient Σg into
    /// the parameters' gradient tensors, and returns the gradient of the input g·W, or null when
    /// <paramref name="inputGradient"/> is false (the first layer: nothing needs the data's gradient).
    /// </summary>
    /// <param name="module">The layer's module; its parameters' <c>grad</c> tensors must exist (the optimizer's flat buffer).</param>
    /// <param name="input">The layer's input in the forward pass.</param>
    /// <param name="output">The layer's output in the forward pass (activation applied).</param>
    /// <param name="grad">The loss's gradient with respect to <paramref name="output"/>; overwritten.</param>
    /// <param name="inputGradient">Whether to return the input's gradient.</param>
    /// <param name="weight">The weight <see cref="TrainingForward"/> multiplied by.</param>
    internal Tensor? Backward(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output, Tensor grad, bool inputGradient, Tensor weight)
    {
        var linear = AsLinear(module, "A dense layer");
        grad = Activations.Backward(Act, output, grad);
        var weightGrad = linear.weight!.grad ?? throw new InvalidOperationException("The dense layer's weight has no gradient tensor to write.");
        if (grad.dtype == weightGrad.dtype)
        {
            weightGrad.addmm_(grad.t(), input, 0, 1);
        }
        else
        {
            // bfloat16 products; the gradient is kept in float32 as the master weights are (as autograd does).
            weightGrad.copy_(grad.t().mm(input));
        }

        if (linear.bias?.grad is { } biasGrad)
        {
            // torch's own column sum, as autograd takes it (a product with a vector of ones would sum in an order that
            // depends on the thread count). dim named: a literal 0 would bind to sum(ScalarType).
            biasGrad.copy_(grad.sum(dim: 0L));
        }

        if (!inputGradient)
        {
            return null;
        }

        return grad.mm(weight); // the weight TrainingForward multiplied by, already in the gradient's type
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

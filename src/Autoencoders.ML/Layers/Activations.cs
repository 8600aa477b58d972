using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Layers;

/// <summary>
/// Every <see cref="Activation"/> as a torch function and as ONNX nodes, side by side in one table, so that the
/// trained module and the exported graph compute the same function.
/// </summary>
internal static class Activations
{
    // torch's exact GELU computes x·0.5·(1 + erf(x·(1/√2))); multiplying by the same float constant keeps the rounding alike.
    private const float InverseSqrt2 = 0.70710678118654752440f;

    private static readonly IReadOnlyDictionary<Activation, (Func<Tensor, Tensor> Torch, Action<OnnxGraphBuilder, string, string, string> Onnx)> Table =
        new Dictionary<Activation, (Func<Tensor, Tensor>, Action<OnnxGraphBuilder, string, string, string>)>
        {
            [Activation.None] = (x => x, (graph, input, output, _) => graph.AddNode("Identity", new[] { input }, output)),
            [Activation.ReLU] = (x => nn.functional.relu(x), Node("Relu")),
            [Activation.LeakyReLU] = (x => x.leaky_relu(Kept.Slope), Node("LeakyRelu", OnnxGraphBuilder.Float("alpha", (float)LeakySlope))),
            [Activation.Tanh] = (torch.tanh, Node("Tanh")),
            [Activation.Sigmoid] = (torch.sigmoid, Node("Sigmoid")),
            [Activation.ELU] = (x => x.elu(Kept.One, Kept.One, Kept.One), Node("Elu", OnnxGraphBuilder.Float("alpha", 1f))),
            [Activation.GELU] = (x => nn.functional.gelu(x), Gelu),
        };

    // The same functions for a training step written without autograd (Layers/Dense.cs): the activation in place on the
    // affine output, and the gradient through it from the activation's OUTPUT y alone, grad·f'(x) written in place on grad.
    // GELU's derivative needs its input, so it has no entry and a stack with GELU trains through autograd.
    private static readonly IReadOnlyDictionary<Activation, (Func<Tensor, Tensor> InPlace, Func<Tensor, Tensor, Tensor> Backward)> Manual =
        new Dictionary<Activation, (Func<Tensor, Tensor>, Func<Tensor, Tensor, Tensor>)>
        {
            [Activation.None] = (x => x, (y, grad) => grad),
            // relu'(x) = 1 where y > 0, else 0 (torch's threshold_backward: 0 at x = 0 too); sign(y) is exactly that for y ≥ 0.
            [Activation.ReLU] = (x => x.relu_(), ReluBackward),
            [Activation.LeakyReLU] = (
                x => x.leaky_relu_(Kept.Slope),
                (y, grad) => grad.mul_(y.gt(Kept.Zero).to_type(grad.dtype).TimesInPlace(1.0 - LeakySlope).PlusInPlace(LeakySlope))),
            [Activation.Tanh] = (x => x.tanh_(), (y, grad) => grad.mul_(y.Squared().neg_().PlusInPlace(1.0))),
            [Activation.Sigmoid] = (x => x.sigmoid_(), (y, grad) => grad.mul_(y.neg().PlusInPlace(1.0).mul_(y))),
            // elu'(x) = 1 for x > 0, else eˣ = y + 1. Not in place: TorchSharp's elu_ computes out of place too.
            [Activation.ELU] = (x => x.elu(Kept.One, Kept.One, Kept.One), (y, grad) => grad.mul_(y.ClampMax(0.0).PlusInPlace(1.0))),
        };

    private const double LeakySlope = 0.01;

    /// <summary>Applies <paramref name="activation"/> element-wise.</summary>
    public static Tensor Apply(Tensor x, Activation activation) => Lookup(activation).Torch(x);

    /// <summary>True when <paramref name="activation"/>'s derivative follows from its output (every one but GELU).</summary>
    public static bool HasOutputDerivative(Activation activation) => Manual.ContainsKey(activation);

    /// <summary>Applies <paramref name="activation"/> in place on <paramref name="x"/> (a tensor autograd does not track) and returns it.</summary>
    public static Tensor ApplyInPlace(Tensor x, Activation activation) => ManualForms(activation).InPlace(x);

    /// <summary>
    /// grad·f′: the gradient before <paramref name="activation"/> from the gradient after it, written in place on
    /// <paramref name="grad"/>, computed from the activation's output <paramref name="output"/>.
    /// </summary>
    public static Tensor Backward(Activation activation, Tensor output, Tensor grad) => ManualForms(activation).Backward(output, grad);

    /// <summary>
    /// The tensor the node before the activation writes: <paramref name="output"/> itself when there is no activation
    /// (so no Identity node is needed), <paramref name="preActivation"/> otherwise.
    /// </summary>
    public static string Input(Activation activation, string output, string preActivation) =>
        activation == Activation.None ? output : preActivation;

    /// <summary>Writes <paramref name="output"/> = activation(<paramref name="input"/>); nothing when they are the same tensor.</summary>
    /// <param name="graph">The graph being written.</param>
    /// <param name="activation">The activation.</param>
    /// <param name="input">The pre-activation tensor, from <see cref="Input"/>.</param>
    /// <param name="output">The tensor to produce.</param>
    /// <param name="prefix">Unique prefix for intermediate tensors, e.g. <c>encoder.layers.0</c>.</param>
    public static void Emit(OnnxGraphBuilder graph, Activation activation, string input, string output, string prefix)
    {
        if (input != output)
        {
            Lookup(activation).Onnx(graph, input, output, prefix);
        }
    }

    /// <summary>The activation that matches an output activation.</summary>
    public static Activation Of(OutputActivation outputActivation) => outputActivation switch
    {
        OutputActivation.Identity => Activation.None,
        OutputActivation.Sigmoid => Activation.Sigmoid,
        _ => throw new ArgumentOutOfRangeException(nameof(outputActivation), outputActivation, "Unknown output activation; use Identity or Sigmoid."),
    };

    private static (Func<Tensor, Tensor> Torch, Action<OnnxGraphBuilder, string, string, string> Onnx) Lookup(Activation activation) =>
        Table.TryGetValue(activation, out var forms)
            ? forms
            : throw new ArgumentOutOfRangeException(nameof(activation), activation, $"Unknown activation {activation}; use one of {string.Join(", ", Table.Keys)}.");

    private static Tensor ReluBackward(Tensor output, Tensor grad)
    {
        if (!CpuKernels.Applies(output, grad))
        {
            return grad.mul_(output.sign());
        }

        CpuKernels.ReluBackward(output, grad);
        return grad;
    }

    private static (Func<Tensor, Tensor> InPlace, Func<Tensor, Tensor, Tensor> Backward) ManualForms(Activation activation) =>
        Manual.TryGetValue(activation, out var forms)
            ? forms
            : throw new NotSupportedException($"The {activation} activation has no derivative from its output; train it through autograd.");

    private static Action<OnnxGraphBuilder, string, string, string> Node(string opType, params global::Onnx.AttributeProto[] attributes) =>
        (graph, input, output, _) => graph.AddNode(opType, new[] { input }, output, attributes);

    // Opset 17 has no Gelu operator (it came in opset 20): 0.5·x·(1 + erf(x/√2)) from elementary nodes.
    private static void Gelu(OnnxGraphBuilder graph, string input, string output, string prefix)
    {
        string scaled = prefix + ".gelu.scaled";
        string erf = prefix + ".gelu.erf";
        string onePlusErf = prefix + ".gelu.one_plus_erf";
        string half = prefix + ".gelu.half_x";
        graph.AddNode("Mul", new[] { input, graph.Scalar("const.inv_sqrt2", InverseSqrt2) }, scaled);
        graph.AddNode("Erf", new[] { scaled }, erf);
        graph.AddNode("Add", new[] { erf, graph.Scalar("const.one", 1f) }, onePlusErf);
        graph.AddNode("Mul", new[] { input, graph.Scalar("const.half", 0.5f) }, half);
        graph.AddNode("Mul", new[] { half, onePlusErf }, output);
    }

    // Numbers the torch forms pass to libtorch, kept for the life of the process (see KeptScalars): the leaky slope, ELU's
    // α = scale = input scale = 1, and 0. A class of their own, made on first use by a torch form, so that writing ONNX
    // alone never loads libtorch.
    private static class Kept
    {
        public static readonly Scalar Slope = LeakySlope;
        public static readonly Scalar One = 1.0;
        public static readonly Scalar Zero = 0;
    }
}

using Autoencoders.ML.Onnx;
using TorchSharp.Modules;

namespace Autoencoders.ML.Layers;

/// <summary>
/// Runs any list of <see cref="LayerSpec"/>s (dense and image layers mixed) as one TorchSharp module that takes and
/// returns flat rows (N, D), like every network kind, and writes the same stack as ONNX nodes. Between layers it
/// reshapes as the next layer needs: a flat row becomes an image (N, C, H, W) read channel-major, and an image is
/// flattened (N, C·H·W) in the same order, so a reshape never moves data. State-dict keys are <c>layers.{i}.*</c>,
/// one index per spec.
/// </summary>
/// <remarks>
/// A model kind builds its encoder and decoder from stacks. <see cref="Run"/> runs a sub-range, so a kind with several
/// heads (a VAE's mean and log-variance) can share a trunk: a stack for the trunk plus its own head layers.
/// </remarks>
internal sealed class LayerStack : nn.Module<Tensor, Tensor>
{
    // Field name is a state-dict prefix: keep it stable, saved weights depend on it.
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;

    /// <summary>Builds the modules of <paramref name="specs"/>; throws <see cref="ArgumentException"/> if consecutive image layers disagree on a shape.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="specs">The layers, in order.</param>
    public LayerStack(string name, IReadOnlyList<LayerSpec> specs)
        : base(name)
    {
        Specs = specs ?? throw new ArgumentNullException(nameof(specs));
        CheckShapes(specs, name);
        layers = new ModuleList<nn.Module<Tensor, Tensor>>(specs.Select(spec => spec.CreateModule()).ToArray());
        RegisterComponents();
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<LayerSpec> Specs { get; }

    /// <summary>The module of layer <paramref name="index"/>, made by its spec's <see cref="LayerSpec.CreateModule"/>.</summary>
    public nn.Module<Tensor, Tensor> Layer(int index) => layers[index];

    /// <summary>Runs every layer: (N, first input size) → (N, last output size).</summary>
    public override Tensor forward(Tensor x) => Run(x, 0, Specs.Count);

    /// <summary>Runs layers <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1 on flat rows and returns flat rows.</summary>
    /// <param name="x">(N, input size of layer <paramref name="start"/>).</param>
    /// <param name="start">First layer to run.</param>
    /// <param name="count">Number of layers.</param>
    public Tensor Run(Tensor x, int start, int count)
    {
        // Inside a bfloat16 training step a run of dense layers stays in bfloat16 from its first product to its last
        // (one cast in, one out) instead of casting around every layer; image layers stay float32.
        bool bfloat16 = MatmulPrecision.BFloat16 && x.dtype == ScalarType.Float32 && count > 1
            && Enumerable.Range(start, count).All(i => Specs[i] is DenseLayerSpec);
        if (bfloat16)
        {
            x = x.to(ScalarType.BFloat16);
        }

        for (int i = start; i < start + count; i++)
        {
            var spec = Specs[i];
            x = spec.InputImage is { } image ? x.reshape(-1, image.Channels, image.Height, image.Width) : x.flatten(1);
            x = spec.Forward(layers[i], x, training);
        }

        return bfloat16 ? x.flatten(1).to(ScalarType.Float32) : x.flatten(1);
    }

    /// <summary>True when every layer is a dense layer that can train without autograd (<see cref="DenseLayerSpec.TrainsWithoutAutograd"/>).</summary>
    public bool TrainsWithoutAutograd => Specs.All(spec => spec is DenseLayerSpec { TrainsWithoutAutograd: true });

    /// <summary>
    /// The forward pass of a training step without autograd (call under <c>no_grad</c>; needs
    /// <see cref="TrainsWithoutAutograd"/>): what <see cref="TrainingBackward"/> needs goes on <paramref name="tape"/>.
    /// Number types as <see cref="Run"/>: inside a bfloat16 step the layers multiply in bfloat16 and the output is
    /// bfloat16 (the caller casts it).
    /// </summary>
    /// <param name="x">(N, first input size).</param>
    /// <param name="tape">Receives each layer's input and weight, and the output.</param>
    public Tensor TrainingForward(Tensor x, Tape tape)
    {
        if (MatmulPrecision.BFloat16 && x.dtype == ScalarType.Float32)
        {
            x = x.to(ScalarType.BFloat16);
        }

        for (int i = 0; i < Specs.Count; i++)
        {
            tape.Values.Add(x);
            x = ((DenseLayerSpec)Specs[i]).TrainingForward(layers[i], x, out var weight);
            tape.Weights.Add(weight);
        }

        tape.Values.Add(x);
        return x;
    }

    /// <summary>
    /// The backward pass of <see cref="TrainingForward"/>: writes every parameter's gradient and returns the gradient
    /// of the stack's input, or null when <paramref name="inputGradient"/> is false.
    /// </summary>
    /// <param name="tape">What <see cref="TrainingForward"/> recorded.</param>
    /// <param name="grad">The loss's gradient with respect to the stack's output (overwritten).</param>
    /// <param name="inputGradient">Whether to return the gradient of the stack's input.</param>
    public Tensor? TrainingBackward(Tape tape, Tensor grad, bool inputGradient)
    {
        var values = tape.Values;
        if (grad.dtype != values[^1].dtype)
        {
            grad = grad.to(values[^1].dtype);
        }

        for (int i = Specs.Count - 1; i >= 0; i--)
        {
            var next = ((DenseLayerSpec)Specs[i]).Backward(layers[i], values[i], values[i + 1], grad, inputGradient || i > 0, tape.Weights[i]);
            if (next is null)
            {
                return null;
            }

            grad = next;
        }

        return grad;
    }

    /// <summary>What a training step without autograd keeps between a stack's forward and backward passes.</summary>
    public sealed class Tape
    {
        /// <summary>Each layer's input, then the stack's output.</summary>
        public List<Tensor> Values { get; } = new();

        /// <summary>The weight each layer multiplied by (a bfloat16 copy in a bfloat16 step).</summary>
        public List<Tensor> Weights { get; } = new();
    }

    /// <summary>
    /// Writes every layer as ONNX nodes, reading flat <paramref name="input"/> and writing flat <paramref name="output"/>,
    /// reshaping exactly where <see cref="Run"/> does: Reshape [-1, C, H, W] before an image layer that follows a flat
    /// tensor, Flatten (axis 1) before a dense layer that follows an image and at the end.
    /// </summary>
    /// <param name="graph">The graph being written.</param>
    /// <param name="prefix">The stack's state-dict prefix, e.g. <c>encoder</c>; layers become <c>encoder.layers.{i}</c>.</param>
    /// <param name="input">Name of the flat [batch, size] input tensor.</param>
    /// <param name="output">Name of the flat tensor to produce.</param>
    public void Emit(OnnxGraphBuilder graph, string prefix, string input, string output)
    {
        bool isImage = false;
        for (int i = 0; i < Specs.Count; i++)
        {
            var spec = Specs[i];
            string layerPrefix = $"{prefix}.layers.{i}";
            bool last = i == Specs.Count - 1;
            if (spec.InputImage is { } shape && !isImage)
            {
                string reshaped = layerPrefix + ".image";
                graph.AddNode("Reshape", new[] { input, graph.Int64(reshaped + ".shape", -1, shape.Channels, shape.Height, shape.Width) }, reshaped);
                input = reshaped;
            }
            else if (spec.InputImage is null && isImage)
            {
                string flat = layerPrefix + ".flat";
                Flatten(graph, input, flat);
                input = flat;
            }

            isImage = spec.OutputImage is not null;
            string layerOutput = last && !isImage ? output : layerPrefix + ".output";
            spec.Emit(graph, layers[i], layerPrefix, input, layerOutput);
            input = layerOutput;
        }

        if (isImage)
        {
            Flatten(graph, input, output);
        }
    }

    /// <summary>True when <paramref name="specs"/> has an image layer.</summary>
    public static bool HasImageLayers(IEnumerable<LayerSpec> specs) => specs.Any(spec => spec.InputImage is not null);

    private static void Flatten(OnnxGraphBuilder graph, string input, string output) =>
        graph.AddNode("Flatten", new[] { input }, output, OnnxGraphBuilder.Int("axis", 1));

    // AutoencoderSpec checks flat sizes only; 16×3×3 → 4×6×6 has matching flat sizes but would scramble the image.
    private static void CheckShapes(IReadOnlyList<LayerSpec> specs, string name)
    {
        for (int i = 1; i < specs.Count; i++)
        {
            if (specs[i - 1].OutputImage is { } before && specs[i].InputImage is { } after && before != after)
            {
                throw new ArgumentException(
                    $"Layer {i - 1} of the {name} outputs images of {before} but layer {i} takes {after}; make layer {i}'s input shape {before}.", nameof(specs));
            }
        }
    }
}

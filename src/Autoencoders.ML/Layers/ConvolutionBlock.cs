using Autoencoders.ML.Onnx;
using TorchSharp.Modules;

namespace Autoencoders.ML.Layers;

/// <summary>
/// The module of every convolution layer on (N, C, H, W) images, and its ONNX form: optional nearest-neighbour
/// upsampling, the convolution (or transposed convolution), then batch normalisation when the spec asks for it. The
/// activation is the spec's (see <see cref="LayerSpec.Forward"/>). State-dict keys are <c>conv.weight</c>,
/// <c>conv.bias</c> and <c>norm.*</c>.
/// </summary>
internal sealed class ConvolutionBlock : nn.Module<Tensor, Tensor>
{
    // Field names are state-dict prefixes: keep them stable, saved weights depend on them.
    private readonly Convolution conv;
    private readonly BatchNorm2d? norm;
    private readonly int upsample;

    /// <summary>Wraps <paramref name="conv"/>, with batch norm over <paramref name="normFeatures"/> channels when given.</summary>
    /// <param name="conv">A Conv2d or ConvTranspose2d.</param>
    /// <param name="normFeatures">Output channels to normalise, or null for no batch norm.</param>
    /// <param name="upsample">Nearest-neighbour upsampling factor before the convolution (1 = none).</param>
    public ConvolutionBlock(Convolution conv, int? normFeatures, int upsample = 1)
        : base(nameof(ConvolutionBlock))
    {
        this.conv = conv;
        norm = normFeatures is int features ? nn.BatchNorm2d(features) : null;
        this.upsample = upsample;
        RegisterComponents();
    }

    /// <summary>The convolution's weight: (out, in, k, k) for a convolution, (in, out, k, k) for a transposed one.</summary>
    public Tensor Weight => conv.weight!;

    /// <summary>The convolution's bias, (out).</summary>
    public Tensor? Bias => conv.bias;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        if (upsample != 1)
        {
            x = nn.functional.interpolate(x, scale_factor: new double[] { upsample, upsample }, mode: InterpolationMode.Nearest);
        }

        if (conv is Conv2d)
        {
            // Channels-last (NHWC) strides, same values. On the CPU, libtorch 2.10's oneDNN (3.7.1) computes the input
            // gradient of an NCHW convolution wrongly, often NaN, when the output channels are not a multiple of its SIMD
            // channel block (16 with AVX-512, 8 with AVX2): it reads the uninitialised padding of that block. Its NHWC
            // path has no such padding. TorchSharp 0.107 has no contiguous(memory_format), hence permute-copy-permute.
            // Transposed convolutions take another path and are right as they are.
            x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        }

        x = conv.forward(x);
        return norm is null ? x : norm.forward(x);
    }

    /// <summary>The block of layer <paramref name="prefix"/>, or an exception naming the module it got instead.</summary>
    public static ConvolutionBlock Of(nn.Module<Tensor, Tensor> module, string prefix) =>
        module as ConvolutionBlock ?? throw new InvalidOperationException(
            $"Layer '{prefix}' has a {module.GetType().Name} module where its spec needs a convolution block; build the module with CreateModule.");

    /// <summary>
    /// Writes the convolution (Conv, or ConvTranspose when <paramref name="geometry"/> has an output padding, reading an
    /// already upsampled <paramref name="input"/>), BatchNormalization in inference form when the block has batch norm,
    /// and the activation.
    /// </summary>
    public void Emit(OnnxGraphBuilder graph, ImageLayerSpec layer, Convolution2d geometry, string prefix, string input, string output)
    {
        using var scope = NewDisposeScope();
        var shape = Weight.shape;
        // Conv weights are (out, in, k, k); ConvTranspose weights are (in, out, k, k), exactly as ONNX expects each.
        bool transposed = geometry.OutputPadding is not null;
        long expectedOut = transposed ? layer.InputShape.Channels : layer.OutputShape.Channels;
        long expectedIn = transposed ? layer.OutputShape.Channels : layer.InputShape.Channels;
        int kernel = geometry.KernelSize;
        if (shape.Length != 4 || shape[0] != expectedOut || shape[1] != expectedIn || shape[2] != kernel || shape[3] != kernel)
        {
            // A mismatch would otherwise only surface when a runtime loads the graph, far from its cause.
            throw new InvalidOperationException(
                $"Layer '{prefix}' has weights of shape [{string.Join(", ", shape)}] but its spec says {layer.InputShape} → {layer.OutputShape} " +
                $"with a {kernel}×{kernel} kernel; export the module built from this spec.");
        }

        var inputs = new List<string> { input, graph.Floats(prefix + ".conv.weight", Weight) };
        if (Bias is Tensor bias)
        {
            inputs.Add(graph.Floats(prefix + ".conv.bias", bias));
        }

        var attributes = new List<global::Onnx.AttributeProto>
        {
            OnnxGraphBuilder.Ints("kernel_shape", kernel, kernel),
            OnnxGraphBuilder.Ints("strides", geometry.Stride, geometry.Stride),
            OnnxGraphBuilder.Ints("pads", geometry.Padding, geometry.Padding, geometry.Padding, geometry.Padding),
        };
        if (geometry.OutputPadding is int extra)
        {
            attributes.Add(OnnxGraphBuilder.Ints("output_padding", extra, extra));
        }

        string activationInput = Activations.Input(layer.Activation, output, prefix + ".norm");
        string convolved = norm is null ? Activations.Input(layer.Activation, output, prefix + ".conv") : prefix + ".conv";
        graph.AddNode(transposed ? "ConvTranspose" : "Conv", inputs, convolved, attributes.ToArray());
        if (norm is not null)
        {
            // Inference form: y = (x − running_mean) / √(running_var + ε) · weight + bias, as torch computes in eval mode.
            string normPrefix = prefix + ".norm";
            graph.AddNode(
                "BatchNormalization",
                new[]
                {
                    convolved,
                    graph.Floats(normPrefix + ".weight", norm.weight!),
                    graph.Floats(normPrefix + ".bias", norm.bias!),
                    graph.Floats(normPrefix + ".running_mean", norm.running_mean!),
                    graph.Floats(normPrefix + ".running_var", norm.running_var!),
                },
                activationInput,
                OnnxGraphBuilder.Float("epsilon", (float)norm.eps));
        }
        else
        {
            activationInput = convolved;
        }

        Activations.Emit(graph, layer.Activation, activationInput, output, prefix);
    }
}

/// <summary>The geometry of a square 2-D convolution as ONNX's Conv and ConvTranspose attributes state it.</summary>
/// <param name="KernelSize">Square kernel size.</param>
/// <param name="Stride">Stride in both directions.</param>
/// <param name="Padding">Padding on every side.</param>
/// <param name="OutputPadding">Output padding of a transposed convolution; null for a plain one.</param>
internal sealed record Convolution2d(int KernelSize, int Stride, int Padding, int? OutputPadding = null);

using Autoencoders.ML.Layers;
using Autoencoders.ML.Onnx;
using TorchSharp.Modules;

namespace Autoencoders.ML.Kinds.Plain;

/// <summary>
/// The TorchSharp module of a plain autoencoder, dense or convolutional, built from an <see cref="AutoencoderSpec"/>:
/// an encoder and a decoder <see cref="LayerStack"/>. State-dict keys are <c>encoder.layers.{i}.*</c> and
/// <c>decoder.layers.{i}.*</c>, one index per layer of the spec; ONNX initializers carry the same names.
/// </summary>
internal sealed class AutoencoderNetwork : AutoencoderModule
{
    /// <summary>The kind of a network whose spec has image layers.</summary>
    public const string ConvolutionalKind = "convolutional";

    // Field names are state-dict prefixes: keep them stable, saved weights depend on them.
    private readonly LayerStack encoder;
    private readonly LayerStack decoder;

    public AutoencoderNetwork(AutoencoderSpec spec)
        : base(nameof(AutoencoderNetwork), spec)
    {
        encoder = new LayerStack(EncoderPrefix, spec.Encoder);
        decoder = new LayerStack(DecoderPrefix, spec.Decoder);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Kind => Spec.Image is null ? "dense" : ConvolutionalKind;

    /// <summary>The encoder layers.</summary>
    public LayerStack Encoder => encoder;

    /// <inheritdoc />
    public override LayerStack Decoder => decoder;

    /// <summary>The affine map of dense encoder layer <paramref name="index"/>.</summary>
    public Linear EncoderLayer(int index) => (Linear)encoder.Layer(index);

    /// <summary>The affine map of dense decoder layer <paramref name="index"/>.</summary>
    public Linear DecoderLayer(int index) => (Linear)decoder.Layer(index);

    /// <inheritdoc />
    public override Tensor Encode(Tensor x) => encoder.forward(x);

    /// <inheritdoc />
    /// <remarks>
    /// A dense stack whose layers all train without autograd (<see cref="LayerStack.TrainsWithoutAutograd"/>) runs its
    /// step as a few fused calls per layer — addmm and the activation in place forward; the loss gradient in closed
    /// form; per layer the activation's derivative, the weight and bias gradients written straight into the
    /// optimizer's buffer and the input gradient — instead of autograd's graph. The gradients equal autograd's to
    /// float rounding (<c>ManualBackwardTests</c>).
    /// </remarks>
    internal override LossBreakdown? LossWithGradients(Tensor input, Tensor target, ReconstructionLoss loss)
    {
        if (!training || !encoder.TrainsWithoutAutograd || !decoder.TrainsWithoutAutograd || parameters().Any(p => p.grad is null))
        {
            return null;
        }

        using var noGrad = no_grad();
        var encoderTape = new LayerStack.Tape();
        var decoderTape = new LayerStack.Tape();
        var logits = decoder.TrainingForward(encoder.TrainingForward(input, encoderTape), decoderTape);
        var (value, gradient) = LossFunctions.ReconstructionGradient(logits, target, loss, Spec.OutputActivation);
        encoder.TrainingBackward(encoderTape, decoder.TrainingBackward(decoderTape, gradient, inputGradient: true)!, inputGradient: false);
        return new LossBreakdown(value, new Dictionary<string, Tensor> { [LossBreakdown.Reconstruction] = value }) { GradientsWritten = true };
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> EmitEncoder(OnnxGraphBuilder graph, string input, string code)
    {
        encoder.Emit(graph, EncoderPrefix, input, graph.OutputTarget(code));
        return new[] { code };
    }
}

using System;
using System.Collections.Generic;
using Autoencoders.ML.Architecture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.ML.Models;

/// <summary>
/// The TorchSharp module of a plain autoencoder, dense or convolutional, built from an <see cref="AutoencoderSpec"/>:
/// an encoder and a decoder <see cref="LayerStack"/>. State-dict keys are <c>encoder.layers.{i}.*</c> and
/// <c>decoder.layers.{i}.*</c>, one index per layer of the spec.
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
        encoder = new LayerStack("encoder", spec.Encoder);
        decoder = new LayerStack("decoder", spec.Decoder);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Kind => IsConvolutional(Spec) ? ConvolutionalKind : "dense";

    public LayerStack Encoder => encoder;

    public LayerStack Decoder => decoder;

    /// <summary>The affine map of dense encoder layer <paramref name="index"/>.</summary>
    public Linear EncoderLayer(int index) => (Linear)encoder.Layer(index);

    /// <summary>The affine map of dense decoder layer <paramref name="index"/>.</summary>
    public Linear DecoderLayer(int index) => (Linear)decoder.Layer(index);

    /// <summary>True when the spec has image (convolutional) layers.</summary>
    public static bool IsConvolutional(AutoencoderSpec spec) => LayerStack.HasImageLayers(spec.Encoder) || LayerStack.HasImageLayers(spec.Decoder);

    /// <inheritdoc />
    public override Tensor Encode(Tensor x) => encoder.forward(x);

    /// <inheritdoc />
    public override Tensor DecodeLogits(Tensor z) => decoder.forward(z);

    /// <summary>Applies <paramref name="activation"/> element-wise, exactly as the ONNX export does.</summary>
    public static Tensor Activate(Tensor x, Activation activation) => activation switch
    {
        Activation.None => x,
        Activation.ReLU => nn.functional.relu(x),
        Activation.LeakyReLU => nn.functional.leaky_relu(x, 0.01),
        Activation.Tanh => torch.tanh(x),
        Activation.Sigmoid => torch.sigmoid(x),
        Activation.ELU => nn.functional.elu(x, 1.0),
        Activation.GELU => nn.functional.gelu(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };
}

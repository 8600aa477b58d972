using System;
using System.Collections.Generic;
using Autoencoders.ML.Architecture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.ML.Models;

/// <summary>
/// The TorchSharp module of an autoencoder, built from an <see cref="AutoencoderSpec"/>. The state-dict keys are
/// <c>encoder.{i}.weight|bias</c> and <c>decoder.{i}.weight|bias</c>, one index per layer of the spec.
/// </summary>
internal sealed class AutoencoderNetwork : AutoencoderModule
{
    // Field names are state-dict prefixes: keep them stable, saved weights depend on them.
    private readonly ModuleList<Linear> encoder;
    private readonly ModuleList<Linear> decoder;

    public AutoencoderNetwork(AutoencoderSpec spec)
        : base(nameof(AutoencoderNetwork), spec)
    {
        encoder = new ModuleList<Linear>(CreateLinear(spec.Encoder));
        decoder = new ModuleList<Linear>(CreateLinear(spec.Decoder));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Kind => "dense";

    /// <summary>The affine map of encoder layer <paramref name="index"/>.</summary>
    public Linear EncoderLayer(int index) => encoder[index];

    /// <summary>The affine map of decoder layer <paramref name="index"/>.</summary>
    public Linear DecoderLayer(int index) => decoder[index];

    /// <inheritdoc />
    public override Tensor Encode(Tensor x) => Run(encoder, Spec.Encoder, x);

    /// <inheritdoc />
    public override Tensor DecodeLogits(Tensor z) => Run(decoder, Spec.Decoder, z);

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

    private Tensor Run(ModuleList<Linear> layers, IReadOnlyList<LayerSpec> specs, Tensor x)
    {
        for (int i = 0; i < specs.Count; i++)
        {
            var spec = (DenseLayerSpec)specs[i];
            x = Activate(layers[i].forward(x), spec.Act);
            if (spec.Dropout > 0f && training)
            {
                x = nn.functional.dropout(x, spec.Dropout, training: true);
            }
        }

        return x;
    }

    private static Linear[] CreateLinear(IReadOnlyList<LayerSpec> specs)
    {
        var layers = new Linear[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            layers[i] = specs[i] is DenseLayerSpec dense
                ? nn.Linear(dense.In, dense.Out)
                : throw new NotSupportedException($"Layer {i} is a {specs[i].GetType().Name}; the dense network takes dense layers only.");
        }

        return layers;
    }
}

using Autoencoders.ML.Architecture;
using static TorchSharp.torch;

namespace Autoencoders.ML.Models;

/// <summary>
/// A convolutional autoencoder: an encoder of stride-2 convolutions, flatten and dense layers down to the code, and a
/// decoder of dense layers, reshape and transposed (or upsample + ) convolutions back to the image, cropped or padded
/// to the input size. Built from any <see cref="AutoencoderSpec"/> with image layers; it takes and returns flat rows
/// (N, C·H·W) read channel-major, like every other kind. State-dict keys are <c>encoder.layers.{i}.*</c> and
/// <c>decoder.layers.{i}.*</c>.
/// </summary>
internal sealed class ConvolutionalAutoencoderNetwork : AutoencoderModule
{
    /// <summary>The value of <see cref="Kind"/>.</summary>
    public const string KindName = "convolutional";

    // Field names are state-dict prefixes: keep them stable, saved weights depend on them.
    private readonly LayerStack encoder;
    private readonly LayerStack decoder;

    public ConvolutionalAutoencoderNetwork(AutoencoderSpec spec)
        : base(nameof(ConvolutionalAutoencoderNetwork), spec)
    {
        encoder = new LayerStack("encoder", spec.Encoder);
        decoder = new LayerStack("decoder", spec.Decoder);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <summary>The encoder layers.</summary>
    public LayerStack Encoder => encoder;

    /// <summary>The decoder layers.</summary>
    public LayerStack Decoder => decoder;

    /// <summary>True when <paramref name="spec"/> needs this network (it has an image layer).</summary>
    public static bool Handles(AutoencoderSpec spec) => LayerStack.HasImageLayers(spec.Encoder) || LayerStack.HasImageLayers(spec.Decoder);

    /// <inheritdoc />
    public override Tensor Encode(Tensor x) => encoder.forward(x);

    /// <inheritdoc />
    public override Tensor DecodeLogits(Tensor z) => decoder.forward(z);
}

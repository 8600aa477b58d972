using Autoencoders.ML.Architecture;

namespace Autoencoders.ML.Kinds.Plain;

/// <summary>
/// The plain autoencoder, dense or convolutional (and denoising when trained on corrupted rows): options
/// <see cref="AutoencoderOptions"/> as they are, network <see cref="AutoencoderNetwork"/>, loss the reconstruction alone.
/// </summary>
internal sealed class PlainKind : ModelKind<AutoencoderOptions>
{
    /// <inheritdoc />
    public override string Name => "dense";

    /// <inheritdoc />
    protected override AutoencoderModule Create(AutoencoderSpec spec, AutoencoderOptions options) => new AutoencoderNetwork(spec);
}

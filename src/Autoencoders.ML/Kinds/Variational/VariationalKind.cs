using Autoencoders.ML.Architecture;

namespace Autoencoders.ML.Kinds.Variational;

/// <summary>
/// The variational autoencoder: options <see cref="VariationalAutoencoderOptions"/>, network
/// <see cref="VariationalAutoencoderNetwork"/> (its loss adds the KL term; its encoder graph has a log-variance head).
/// </summary>
internal sealed class VariationalKind : ModelKind<VariationalAutoencoderOptions>
{
    /// <inheritdoc />
    public override string Name => "variational";

    /// <inheritdoc />
    protected override AutoencoderModule Create(AutoencoderSpec spec, VariationalAutoencoderOptions options) =>
        new VariationalAutoencoderNetwork(spec, options);
}

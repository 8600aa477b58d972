using System;
using Autoencoders.ML.Architecture;

namespace Autoencoders.ML.Kinds;

/// <summary>
/// One model kind as the rest of the library sees it: the name its options carry in JSON, the options type that
/// selects it and the network it builds. The network then brings the kind's loss, its ONNX graph parts and their
/// metadata. Kinds are listed once, in <see cref="ModelKinds"/>.
/// </summary>
internal abstract class ModelKind
{
    /// <summary>The value of the options' <c>kind</c> discriminator in JSON (model.json), e.g. <c>dense</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The options class that selects this kind.</summary>
    public abstract Type OptionsType { get; }

    /// <summary>Builds the untrained network of <paramref name="spec"/> (same seed → same weights).</summary>
    /// <param name="spec">The architecture, from <see cref="AutoencoderOptions.BuildSpec"/>.</param>
    /// <param name="options">Options of <see cref="OptionsType"/>.</param>
    public abstract AutoencoderModule CreateNetwork(AutoencoderSpec spec, AutoencoderOptions options);
}

/// <summary>A <see cref="ModelKind"/> selected by options of type <typeparamref name="TOptions"/>.</summary>
internal abstract class ModelKind<TOptions> : ModelKind
    where TOptions : AutoencoderOptions
{
    /// <inheritdoc />
    public sealed override Type OptionsType => typeof(TOptions);

    /// <inheritdoc />
    public sealed override AutoencoderModule CreateNetwork(AutoencoderSpec spec, AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Create(spec, options as TOptions ?? throw new ArgumentException(
            $"The {Name} kind needs {typeof(TOptions).Name}; got {options?.GetType().Name ?? "null"}. Ask ModelKinds.For(options) for the kind.", nameof(options)));
    }

    /// <summary>Builds the network from options of this kind.</summary>
    protected abstract AutoencoderModule Create(AutoencoderSpec spec, TOptions options);
}

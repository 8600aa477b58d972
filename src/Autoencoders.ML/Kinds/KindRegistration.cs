
namespace Autoencoders.ML.Kinds;

/// <summary>
/// One model kind as the rest of the library sees it: the name its options carry in JSON, the options type that
/// selects it and the network it builds. The network brings the rest of the kind: its loss, the ONNX parts of its
/// graphs and their metadata. Kinds are listed once, in <see cref="ModelKinds"/>.
/// </summary>
/// <param name="Kind">The kind, as the public API names it.</param>
/// <param name="Name">The value of the options' <c>kind</c> discriminator in JSON (model.json), e.g. <c>dense</c>.</param>
/// <param name="OptionsType">The options class that selects this kind.</param>
/// <param name="Create">Builds the untrained network of a spec from options of <paramref name="OptionsType"/>.</param>
internal sealed record KindRegistration(ModelKind Kind, string Name, Type OptionsType, Func<AutoencoderSpec, AutoencoderOptions, AutoencoderModule> Create)
{
    /// <summary>A kind selected by options of type <typeparamref name="TOptions"/>.</summary>
    /// <param name="kind">The kind, as the public API names it.</param>
    /// <param name="name">The JSON name of the options.</param>
    /// <param name="create">Builds the untrained network (same seed → same weights).</param>
    public static KindRegistration Of<TOptions>(ModelKind kind, string name, Func<AutoencoderSpec, TOptions, AutoencoderModule> create)
        where TOptions : AutoencoderOptions =>
        new(kind, name, typeof(TOptions), (spec, options) => create(spec, options as TOptions ?? throw new ArgumentException(
            $"The {name} kind needs {typeof(TOptions).Name}; got {options?.GetType().Name ?? "null"}. Ask ModelKinds.For(options) for the kind.",
            nameof(options))));
}


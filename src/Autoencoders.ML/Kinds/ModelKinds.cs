using System.Text.Json.Serialization.Metadata;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Kinds.Plain;
using Autoencoders.ML.Kinds.Variational;

namespace Autoencoders.ML.Kinds;

/// <summary>
/// The registry of model kinds: the only place that lists them all. The trainer and the persistence code build networks
/// through it, and the JSON form of the options takes its <c>kind</c> discriminator from it. Adding a kind is one line here.
/// </summary>
internal static class ModelKinds
{
    /// <summary>Every model kind, the plain autoencoder first.</summary>
    public static IReadOnlyList<KindRegistration> All { get; } = new KindRegistration[]
    {
        // The plain autoencoder, dense or convolutional (denoising when trained on corrupted rows).
        KindRegistration.Of<AutoencoderOptions>(ModelKind.Autoencoder, "dense", (spec, _) => new AutoencoderNetwork(spec)),
        KindRegistration.Of<VariationalAutoencoderOptions>(ModelKind.Variational, "variational", (spec, options) => new VariationalAutoencoderNetwork(spec, options)),
        KindRegistration.Of<MixtureAutoencoderOptions>(ModelKind.GaussianMixture, "gmvae", (spec, options) => new MixtureAutoencoderNetwork(spec, options)),
    };

    /// <summary>The kind selected by <paramref name="options"/>: the one whose options type is the most derived one they are.</summary>
    public static KindRegistration For(AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return All.Where(kind => kind.OptionsType.IsInstanceOfType(options)).OrderByDescending(kind => Depth(kind.OptionsType)).FirstOrDefault()
            ?? throw new NotSupportedException(
                $"No model kind takes options of type {options.GetType().Name}; use one of {string.Join(", ", All.Select(k => k.OptionsType.Name))}.");
    }

    /// <summary>Builds the untrained network that <paramref name="options"/> select for <paramref name="spec"/>.</summary>
    public static AutoencoderModule CreateNetwork(AutoencoderSpec spec, AutoencoderOptions options) => For(options).Create(spec ?? throw new ArgumentNullException(nameof(spec)), options);

    /// <summary>
    /// A System.Text.Json contract modifier: makes <see cref="AutoencoderOptions"/> polymorphic with the discriminator
    /// <c>kind</c> and one derived type per registered kind.
    /// </summary>
    public static void DescribeOptions(JsonTypeInfo info)
    {
        if (info.Type != typeof(AutoencoderOptions))
        {
            return;
        }

        info.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "kind" };
        foreach (var kind in All)
        {
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(kind.OptionsType, kind.Name));
        }
    }

    private static int Depth(Type type)
    {
        int depth = 0;
        for (var t = type; t != null; t = t.BaseType)
        {
            depth++;
        }

        return depth;
    }
}

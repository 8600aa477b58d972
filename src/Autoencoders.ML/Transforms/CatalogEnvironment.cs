using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Recovers the <see cref="MLContext"/> environment behind <c>mlContext.Transforms</c>. ML.NET keeps it internal
/// (<c>IInternalCatalog.Environment</c>); it is read by reflection so that training logs reach <c>mlContext.Log</c>
/// and the seed of <c>new MLContext(seed)</c> is honoured. If a future ML.NET renames it, a fresh environment is used.
/// </summary>
internal static class CatalogEnvironment
{
    private static readonly PropertyInfo? EnvironmentProperty = typeof(TransformsCatalog).GetProperty(
        "Microsoft.ML.Data.IInternalCatalog.Environment", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

    public static IHostEnvironment Of(TransformsCatalog catalog) =>
        EnvironmentProperty?.GetValue(catalog) as IHostEnvironment ?? new MLContext();

    /// <summary>
    /// <paramref name="seed"/> if given, else a seed drawn from the environment — ML.NET's own rule for a null seed: a
    /// component registers a host, whose random generator is seeded from <c>new MLContext(seed)</c>. So the same
    /// MLContext seed and the same sequence of calls give the same models; an MLContext without a seed gives random ones.
    /// </summary>
    public static int Seed(IHostEnvironment environment, int? seed) =>
        seed ?? environment.Register(nameof(AutoencoderCatalog)).Rand.Next();
}

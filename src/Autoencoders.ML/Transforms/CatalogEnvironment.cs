using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Recovers the <see cref="MLContext"/> environment behind a catalog (<c>mlContext.Transforms</c>,
/// <c>mlContext.AnomalyDetection.Trainers</c>, <c>mlContext.MulticlassClassification.Trainers</c>). ML.NET keeps it
/// internal (<c>IInternalCatalog.Environment</c>, <c>CatalogInstantiatorBase.Environment</c>); it is read here, in one
/// place, by reflection, so that training logs reach <c>mlContext.Log</c> and the seed of <c>new MLContext(seed)</c> is
/// honoured. If a future ML.NET hides it, a fresh environment is used.
/// </summary>
internal static class CatalogEnvironment
{
    private const BindingFlags Any = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly;
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>The environment of <paramref name="catalog"/>.</summary>
    public static IHostEnvironment Of(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var properties = Properties.GetOrAdd(catalog.GetType(), type =>
        {
            var found = new List<PropertyInfo>();
            for (var t = type; t != null; t = t.BaseType)
            {
                found.AddRange(t.GetProperties(Any).Where(p => typeof(IHostEnvironment).IsAssignableFrom(p.PropertyType) && p.GetIndexParameters().Length == 0));
            }

            return found.ToArray();
        });
        return properties.Select(p => p.GetValue(catalog)).OfType<IHostEnvironment>().FirstOrDefault() ?? new MLContext();
    }

    /// <summary>
    /// <paramref name="seed"/> if given, else a seed drawn from the environment — ML.NET's own rule for a null seed: a
    /// component registers a host, whose random generator is seeded from <c>new MLContext(seed)</c>. So the same
    /// MLContext seed and the same sequence of calls give the same models; an MLContext without a seed gives random ones.
    /// </summary>
    public static int Seed(IHostEnvironment environment, int? seed) =>
        seed ?? environment.Register(nameof(AutoencoderCatalog)).Rand.Next();
}

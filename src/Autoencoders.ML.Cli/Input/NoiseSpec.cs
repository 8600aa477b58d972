using System.Globalization;
using Autoencoders.ML.Training;

namespace Autoencoders.ML.Cli.Input;

/// <summary>Parses --noise values: gaussian:σ, mask:p, saltpepper:p (repeatable).</summary>
internal static class NoiseSpec
{
    public static CorruptionOptions? Parse(IReadOnlyList<string>? specs, float? clipMin, float? clipMax)
    {
        if (specs == null || specs.Count == 0)
        {
            return null;
        }

        var corruptions = specs.Select(ParseOne).ToArray();
        try
        {
            return new CorruptionOptions(corruptions, clipMin, clipMax);
        }
        catch (System.ArgumentException e)
        {
            throw new InputException($"--noise/--clip: {e.Message}");
        }
    }

    private static Corruption ParseOne(string spec)
    {
        var parts = spec.Split(':');
        if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new InputException($"--noise '{spec}': expected gaussian:SIGMA, mask:P or saltpepper:P, e.g. gaussian:0.5.");
        }

        try
        {
            return parts[0].ToLowerInvariant() switch
            {
                "gaussian" => Corruption.Gaussian(value),
                "mask" or "masking" => Corruption.Masking(value),
                "saltpepper" or "salt-and-pepper" => Corruption.SaltAndPepper(value),
                _ => throw new InputException($"--noise '{spec}': unknown kind '{parts[0]}'; use gaussian, mask or saltpepper."),
            };
        }
        catch (System.ArgumentException e)
        {
            throw new InputException($"--noise '{spec}': {e.Message.Split(" (Parameter")[0]}");
        }
    }
}

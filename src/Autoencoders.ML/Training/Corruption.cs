using System.Text.Json.Serialization;

namespace Autoencoders.ML.Training;

/// <summary>
/// A way to corrupt the input during training (a denoising autoencoder learns to undo it). Noise is drawn afresh for
/// every batch from a generator seeded by <see cref="TrainingOptions.Seed"/>. Values are checked when the object is
/// created.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(GaussianNoise), "gaussian")]
[JsonDerivedType(typeof(MaskingNoise), "masking")]
[JsonDerivedType(typeof(SaltAndPepperNoise), "saltAndPepper")]
public abstract record Corruption
{
    /// <summary>Additive Gaussian noise x + σ·N(0, 1).</summary>
    public static Corruption Gaussian(double standardDeviation) => new GaussianNoise(standardDeviation);

    /// <summary>Masking noise: each value is set to zero with probability <paramref name="fraction"/>.</summary>
    public static Corruption Masking(double fraction) => new MaskingNoise(fraction);

    /// <summary>Salt-and-pepper noise: with probability <paramref name="fraction"/> a value becomes <paramref name="min"/> or <paramref name="max"/> (half each).</summary>
    public static Corruption SaltAndPepper(double fraction, float min = 0f, float max = 1f) => new SaltAndPepperNoise(fraction, min, max);

    /// <summary>Returns a corrupted copy of <paramref name="x"/>.</summary>
    internal abstract Tensor Apply(Tensor x, Generator generator);

    /// <summary>Checks a probability, naming the parameter.</summary>
    protected static double Probability(double value, string name) =>
        value >= 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} is a probability and must be in [0, 1]; got {value}.");
}

/// <summary>Additive Gaussian noise x + σ·N(0, 1).</summary>
internal sealed record GaussianNoise : Corruption
{
    /// <summary>Creates the corruption; σ must be ≥ 0 and finite.</summary>
    public GaussianNoise(double standardDeviation)
    {
        StandardDeviation = standardDeviation >= 0 && double.IsFinite(standardDeviation)
            ? standardDeviation
            : throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, $"The Gaussian noise σ must be ≥ 0; got {standardDeviation}.");
    }

    /// <summary>σ, the standard deviation of the noise.</summary>
    public double StandardDeviation { get; }

    internal override Tensor Apply(Tensor x, Generator generator) =>
        x.Plus(torch.randn(x.shape, generator: generator).Times(StandardDeviation));
}

/// <summary>Masking noise: each value is set to zero with probability <see cref="Fraction"/>.</summary>
internal sealed record MaskingNoise : Corruption
{
    /// <summary>Creates the corruption; the fraction must be in [0, 1].</summary>
    public MaskingNoise(double fraction) => Fraction = Probability(fraction, nameof(fraction));

    /// <summary>Probability that a value is zeroed.</summary>
    public double Fraction { get; }

    internal override Tensor Apply(Tensor x, Generator generator) =>
        x * KeptScalars.With(Fraction, fraction => torch.rand(x.shape, generator: generator).ge(fraction)).to_type(x.dtype);
}

/// <summary>Salt-and-pepper noise: with probability <see cref="Fraction"/> a value becomes <see cref="Min"/> or <see cref="Max"/>.</summary>
internal sealed record SaltAndPepperNoise : Corruption
{
    /// <summary>Creates the corruption; the fraction must be in [0, 1] and min &lt; max.</summary>
    public SaltAndPepperNoise(double fraction, float min = 0f, float max = 1f)
    {
        Fraction = Probability(fraction, nameof(fraction));
        if (!(min < max))
        {
            throw new ArgumentException($"Salt-and-pepper needs min < max; got min {min}, max {max}.", nameof(min));
        }

        Min = min;
        Max = max;
    }

    /// <summary>Probability that a value is replaced.</summary>
    public double Fraction { get; }

    /// <summary>The "pepper" value.</summary>
    public float Min { get; }

    /// <summary>The "salt" value.</summary>
    public float Max { get; }

    internal override Tensor Apply(Tensor x, Generator generator)
    {
        var hit = KeptScalars.With(Fraction, fraction => torch.rand(x.shape, generator: generator).lt(fraction));
        var salt = KeptScalars.With(0.5, half => torch.rand(x.shape, generator: generator).lt(half));
        var replacement = torch.where(salt, torch.tensor(Max), torch.tensor(Min));
        return torch.where(hit, replacement, x);
    }
}

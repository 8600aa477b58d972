using System.Text.Json.Serialization;

namespace Autoencoders.ML.Training;

/// <summary>
/// Turns training into denoising: each batch's input is corrupted by every <see cref="Corruptions"/> entry in order,
/// then clipped to [<see cref="ClipMin"/>, <see cref="ClipMax"/>] if given; the loss compares the reconstruction with
/// the clean input (or the target column). Checked when created.
/// </summary>
public sealed class CorruptionOptions
{
    /// <summary>Creates the options.</summary>
    /// <param name="corruptions">At least one corruption, applied in order.</param>
    /// <param name="clipMin">Lower clip bound (null = none).</param>
    /// <param name="clipMax">Upper clip bound (null = none).</param>
    [JsonConstructor]
    public CorruptionOptions(IReadOnlyList<Corruption> corruptions, float? clipMin = null, float? clipMax = null)
    {
        if (corruptions == null || corruptions.Count == 0 || corruptions.Any(c => c == null))
        {
            throw new ArgumentException(
                "A denoising autoencoder needs at least one corruption, e.g. Corruption.Gaussian(0.5), Corruption.Masking(0.3) or Corruption.SaltAndPepper(0.1).",
                nameof(corruptions));
        }

        if (clipMin is float min && clipMax is float max && !(min < max))
        {
            throw new ArgumentException($"The clipping range needs min < max; got [{min}, {max}].", nameof(clipMin));
        }

        Corruptions = corruptions.ToArray();
        ClipMin = clipMin;
        ClipMax = clipMax;
    }

    /// <summary>The corruptions, applied in order.</summary>
    public IReadOnlyList<Corruption> Corruptions { get; }

    /// <summary>Lower clip bound after corruption, or null.</summary>
    public float? ClipMin { get; }

    /// <summary>Upper clip bound after corruption, or null.</summary>
    public float? ClipMax { get; }

    /// <summary>Gaussian noise of σ clipped to [0, 1], the usual choice for images scaled to [0, 1].</summary>
    public static CorruptionOptions GaussianClipped(double sigma) => new(new[] { Corruption.Gaussian(sigma) }, 0f, 1f);

    /// <summary>
    /// Corrupts rows outside training (to build a noisy evaluation set, or for data augmentation), reproducibly for a
    /// given <paramref name="seed"/>.
    /// </summary>
    /// <param name="rows">Rows of equal length.</param>
    /// <param name="seed">Seed of the noise.</param>
    public float[][] Apply(IReadOnlyList<float[]> rows, int seed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return Array.Empty<float[]>();
        }

        int width = rows[0].Length;
        if (rows.Any(r => r.Length != width))
        {
            throw new ArgumentException($"Every row must have {width} values like the first one.", nameof(rows));
        }

        Runtime.TorchRuntime.EnsureInitialized();
        using var generator = new torch.Generator((ulong)seed);
        using var scope = torch.NewDisposeScope();
        var flat = new float[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
        {
            rows[i].CopyTo(flat, i * width);
        }

        var corrupted = Apply(torch.tensor(flat, new long[] { rows.Count, width }), generator).contiguous().data<float>().ToArray();
        return RowArrays.Split(corrupted, rows.Count, width);
    }

    /// <summary>Applies every corruption and the clipping to a copy of <paramref name="x"/>.</summary>
    internal Tensor Apply(Tensor x, Generator generator)
    {
        foreach (var corruption in Corruptions)
        {
            x = corruption.Apply(x, generator);
        }

        if (ClipMin == null && ClipMax == null)
        {
            return x;
        }

        using Scalar? min = ClipMin is float low ? low : null;
        using Scalar? max = ClipMax is float high ? high : null;
        return x.clamp(min, max);
    }
}

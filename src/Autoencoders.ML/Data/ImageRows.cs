namespace Autoencoders.ML.Data;

/// <summary>
/// The one rule that decides whether training rows are images, read by every recipe that differs for images (the
/// anomaly detector's, the mixture VAE's): a square number of values s² with s ≥ <see cref="MinimumSide"/>, all in
/// [0, 1] (pixel intensities). IDX files are scaled into [0, 1] when read, so their 28×28 rows qualify.
/// </summary>
internal static class ImageRows
{
    /// <summary>The smallest image side taken for an image (8×8 = 64 values, the UCI digits).</summary>
    public const int MinimumSide = 8;

    /// <summary>The side s of a row of <paramref name="width"/> = s² values with s ≥ <see cref="MinimumSide"/>, else null.</summary>
    /// <param name="width">Values per row.</param>
    public static int? SquareSide(int width)
    {
        int side = (int)Math.Round(Math.Sqrt(width));
        return side >= MinimumSide && side * side == width ? side : null;
    }

    /// <summary>Whether <paramref name="rows"/> are images: a square width (<see cref="SquareSide"/>) and every value in [0, 1].</summary>
    /// <param name="width">Values per row.</param>
    /// <param name="rows">The training rows.</param>
    public static bool AreImages(int width, IEnumerable<float[]> rows) =>
        SquareSide(width) != null && rows.All(r => r.Length == width && r.All(v => v >= 0f && v <= 1f));

    /// <summary>The sentence a model file or summary gives for the decision.</summary>
    /// <param name="images">What <see cref="AreImages"/> returned.</param>
    public static string Describe(bool images) => images
        ? $"every row is a square image of at least {MinimumSide}×{MinimumSide} values, all in [0, 1]"
        : $"the rows are a table (not a square number of at least {MinimumSide * MinimumSide} values, or values outside [0, 1])";
}

using System.Text.Json.Serialization;

namespace Autoencoders.ML.Training;

/// <summary>
/// Training-time augmentation for image rows: every row moves by its own random whole-pixel offset of at most
/// <see cref="MaxShift"/> pixels up/down and left/right, and, when <see cref="MaxRotation"/> is positive, turns by its
/// own random angle of at most that many degrees about the image centre; when <see cref="MaxScale"/> or
/// <see cref="MaxShear"/> is positive it is also resized by a random factor in [1 − MaxScale, 1 + MaxScale] and slanted
/// by a random horizontal shear of at most MaxShear degrees. The uncovered border is filled with zeros. One
/// <c>affine_grid</c> + <c>grid_sample</c> call: nearest-neighbour sampling for shifts alone (values are moved, never
/// interpolated), bilinear otherwise. Offsets, angles, factors and slants come from a generator seeded by the run's seed;
/// with scale and shear off the draws are the shift-and-turn draws alone, so older runs replay unchanged.
/// </summary>
/// <remarks>
/// As <see cref="TrainingOptions.Augmentation"/> the moved row is both the input and the target of an autoencoder (more
/// data, not a corruption: the network reconstructs what it sees), so its codes come to describe a digit's shape more
/// than its exact position, which is what clustering and classification on the codes need. Validation rows are not
/// moved. Corruption (<see cref="TrainingOptions.Corruption"/>), when also set, is applied to the moved input afterwards.
/// </remarks>
public sealed class ImageAugmentation
{
    /// <summary>Moves rows of <paramref name="image"/> by up to <paramref name="maxShift"/> pixels and turns them by up to <paramref name="maxRotation"/> degrees.</summary>
    /// <param name="image">The shape of one row (channels × height × width).</param>
    /// <param name="maxShift">Largest shift in pixels along each axis, ≥ 0 and smaller than the image.</param>
    /// <param name="maxRotation">Largest rotation in degrees either way, in [0, 180].</param>
    /// <param name="maxScale">Largest relative change of size either way, in [0, 0.5] (0.1 draws factors in [0.9, 1.1]).</param>
    /// <param name="maxShear">Largest horizontal slant in degrees either way, in [0, 45].</param>
    [JsonConstructor]
    public ImageAugmentation(ImageShape image, int maxShift, double maxRotation = 0, double maxScale = 0, double maxShear = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        image.Validate(nameof(image));
        if (maxShift < 0 || maxShift >= Math.Min(image.Height, image.Width))
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxShift), maxShift, $"The largest shift must be in [0, {Math.Min(image.Height, image.Width) - 1}] pixels for {image} images; got {maxShift}. 2 is usual for 28×28 digits.");
        }

        if (!(maxRotation >= 0 && maxRotation <= 180))
        {
            throw new ArgumentOutOfRangeException(nameof(maxRotation), maxRotation, $"The largest rotation must be in [0, 180] degrees; got {maxRotation}. 10 to 15 is usual for digits.");
        }

        if (!(maxScale >= 0 && maxScale <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(maxScale), maxScale, $"The largest change of size must be in [0, 0.5] (a fraction of the size); got {maxScale}. 0.1 is usual for digits.");
        }

        if (!(maxShear >= 0 && maxShear <= 45))
        {
            throw new ArgumentOutOfRangeException(nameof(maxShear), maxShear, $"The largest slant must be in [0, 45] degrees; got {maxShear}. 10 to 15 is usual for digits.");
        }

        Image = image;
        MaxShift = maxShift;
        MaxRotation = maxRotation;
        MaxScale = maxScale;
        MaxShear = maxShear;
    }

    /// <summary>The shape of a row.</summary>
    public ImageShape Image { get; }

    /// <summary>Largest shift in pixels along each axis.</summary>
    public int MaxShift { get; }

    /// <summary>Largest rotation in degrees, either way (0 = none).</summary>
    public double MaxRotation { get; }

    /// <summary>Largest relative change of size, either way (0 = none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double MaxScale { get; }

    /// <summary>Largest horizontal slant in degrees, either way (0 = none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double MaxShear { get; }

    /// <summary>True when rows are moved at all (a shift, a rotation, a change of size or a slant).</summary>
    [JsonIgnore]
    public bool MovesRows => MaxShift > 0 || MaxRotation > 0 || MaxScale > 0 || MaxShear > 0;

    private bool Interpolates => MaxRotation > 0 || MaxScale > 0 || MaxShear > 0;

    /// <summary>Throws <see cref="ArgumentException"/> unless rows of <paramref name="width"/> values are images of <see cref="Image"/>.</summary>
    /// <param name="width">The row width (the model's input size).</param>
    /// <param name="name">The option the augmentation came from.</param>
    internal void CheckWidth(int width, string name)
    {
        if (width != Image.Size)
        {
            throw new ArgumentException(
                $"{name} moves {Image} images of {Image.Size} values, but the rows have {width} values. Give the image shape of the rows (e.g. new ImageShape(1, 28, 28) for MNIST).", name);
        }
    }

    /// <summary>Moved copies of flat rows (N, C·H·W); offsets and angles drawn from <paramref name="generator"/> (null: torch's global generator).</summary>
    internal Tensor Apply(Tensor rows, Generator? generator)
    {
        long n = rows.shape[0];
        var images = rows.reshape(n, Image.Channels, Image.Height, Image.Width);
        // Offsets in pixels, then in grid_sample's normalised coordinates (the image spans [-1, 1]).
        var dx = randint(-MaxShift, MaxShift + 1, new long[] { n }, generator: generator).to_type(ScalarType.Float32).Times(2.0f / Image.Width);
        var dy = randint(-MaxShift, MaxShift + 1, new long[] { n }, generator: generator).to_type(ScalarType.Float32).Times(2.0f / Image.Height);
        Tensor cos, sin;
        if (MaxRotation > 0)
        {
            var angle = rand(new long[] { n }, generator: generator).Times(2).Minus(1).Times(MaxRotation * Math.PI / 180);
            (cos, sin) = (angle.cos(), angle.sin());
        }
        else
        {
            (cos, sin) = (ones(n), zeros(n));
        }

        // Output pixel p reads input pixel M·p − d with M = R(−angle): the content moves by d and turns by the angle.
        var (m00, m01, m10, m11) = (cos, sin, -sin, cos);
        if (MaxScale > 0 || MaxShear > 0)
        {
            // Slanted by t = tan(shear) and resized by s as well: M = S⁻¹·H⁻¹·R(−angle), H⁻¹ = [[1, −t], [0, 1]].
            var t = rand(new long[] { n }, generator: generator).Times(2).Minus(1).Times(MaxShear * Math.PI / 180).tan();
            var inverseSize = rand(new long[] { n }, generator: generator).Times(2).Minus(1).Times(MaxScale).Plus(1).reciprocal();
            (m00, m01) = (m00 - (t * m10), m01 - (t * m11));
            (m00, m01, m10, m11) = (m00 * inverseSize, m01 * inverseSize, m10 * inverseSize, m11 * inverseSize);
        }

        var theta = stack(new[] { m00, m01, -dx, m10, m11, -dy }, 1).reshape(n, 2, 3);
        var grid = nn.functional.affine_grid(theta, new long[] { n, Image.Channels, Image.Height, Image.Width }, align_corners: false);
        var mode = Interpolates ? GridSampleMode.Bilinear : GridSampleMode.Nearest;
        var moved = nn.functional.grid_sample(images, grid, mode, GridSamplePaddingMode.Zeros, align_corners: false);
        return moved.reshape(n, Image.Size);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"shift ≤ {MaxShift} px" + (MaxRotation > 0 ? $", turn ≤ {MaxRotation}°" : string.Empty) +
        (MaxScale > 0 ? $", size ×(1 ± {MaxScale})" : string.Empty) + (MaxShear > 0 ? $", slant ≤ {MaxShear}°" : string.Empty);
}

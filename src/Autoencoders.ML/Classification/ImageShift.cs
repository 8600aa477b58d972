namespace Autoencoders.ML.Classification;

/// <summary>
/// Training-time augmentation for image rows: every row moves by its own random whole-pixel offset of at most
/// <see cref="MaxShift"/> pixels up/down and left/right, and, when <see cref="MaxRotation"/> is positive, turns by its
/// own random angle of at most that many degrees about the image centre; the uncovered border is filled with zeros. One
/// <c>affine_grid</c> + <c>grid_sample</c> call: nearest-neighbour sampling for shifts alone (values are moved, never
/// interpolated), bilinear when rows also turn.
/// </summary>
internal sealed class ImageShift
{
    /// <summary>Moves rows of <paramref name="image"/> by up to <paramref name="maxShift"/> pixels and turns them by up to <paramref name="maxRotation"/> degrees.</summary>
    public ImageShift(ImageShape image, int maxShift, double maxRotation = 0)
    {
        Image = image;
        MaxShift = maxShift;
        MaxRotation = maxRotation;
    }

    /// <summary>The shape of a row.</summary>
    public ImageShape Image { get; }

    /// <summary>Largest shift in pixels along each axis.</summary>
    public int MaxShift { get; }

    /// <summary>Largest rotation in degrees, either way (0 = none).</summary>
    public double MaxRotation { get; }

    /// <summary>Moved copies of flat rows (N, C·H·W); offsets and angles drawn from <paramref name="generator"/>.</summary>
    public Tensor Apply(Tensor rows, Generator generator)
    {
        long n = rows.shape[0];
        var images = rows.reshape(n, Image.Channels, Image.Height, Image.Width);
        // Offsets in pixels, then in grid_sample's normalised coordinates (the image spans [-1, 1]).
        var dx = randint(-MaxShift, MaxShift + 1, new long[] { n }, generator: generator).to_type(ScalarType.Float32) * (2.0f / Image.Width);
        var dy = randint(-MaxShift, MaxShift + 1, new long[] { n }, generator: generator).to_type(ScalarType.Float32) * (2.0f / Image.Height);
        Tensor cos, sin;
        if (MaxRotation > 0)
        {
            var angle = (rand(new long[] { n }, generator: generator) * 2 - 1) * (MaxRotation * Math.PI / 180);
            (cos, sin) = (angle.cos(), angle.sin());
        }
        else
        {
            (cos, sin) = (ones(n), zeros(n));
        }

        // Output pixel p reads input pixel R(−angle)·p − d: the content moves by d and turns by the angle.
        var theta = stack(new[] { cos, sin, -dx, -sin, cos, -dy }, 1).reshape(n, 2, 3);
        var grid = nn.functional.affine_grid(theta, new long[] { n, Image.Channels, Image.Height, Image.Width }, align_corners: false);
        var mode = MaxRotation > 0 ? GridSampleMode.Bilinear : GridSampleMode.Nearest;
        var moved = nn.functional.grid_sample(images, grid, mode, GridSamplePaddingMode.Zeros, align_corners: false);
        return moved.reshape(n, Image.Size);
    }
}

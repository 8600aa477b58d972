namespace Autoencoders.ML.Classification;

/// <summary>
/// Training-time augmentation for image rows: every row moves by its own random whole-pixel offset of at most
/// <see cref="MaxShift"/> pixels up/down and left/right, the uncovered border filled with zeros (one
/// <c>grid_sample</c> call with nearest-neighbour sampling, so values are moved, never interpolated).
/// </summary>
internal sealed class ImageShift
{
    /// <summary>Moves rows of <paramref name="image"/> by up to <paramref name="maxShift"/> pixels.</summary>
    public ImageShift(ImageShape image, int maxShift)
    {
        Image = image;
        MaxShift = maxShift;
    }

    /// <summary>The shape of a row.</summary>
    public ImageShape Image { get; }

    /// <summary>Largest shift in pixels along each axis.</summary>
    public int MaxShift { get; }

    /// <summary>Shifted copies of flat rows (N, C·H·W); offsets drawn from <paramref name="generator"/>.</summary>
    public Tensor Apply(Tensor rows, Generator generator)
    {
        long n = rows.shape[0];
        var images = rows.reshape(n, Image.Channels, Image.Height, Image.Width);
        // Offsets in pixels, then in grid_sample's normalised coordinates (the image spans [-1, 1]).
        var dx = randint(-MaxShift, MaxShift + 1, new long[] { n }, generator: generator).to_type(ScalarType.Float32) * (2.0f / Image.Width);
        var dy = randint(-MaxShift, MaxShift + 1, new long[] { n }, generator: generator).to_type(ScalarType.Float32) * (2.0f / Image.Height);
        var one = ones(n);
        var zero = zeros(n);
        // Output pixel (x, y) reads input pixel (x − dx, y − dy): the content moves by (dx, dy).
        var theta = stack(new[] { one, zero, -dx, zero, one, -dy }, 1).reshape(n, 2, 3);
        var grid = nn.functional.affine_grid(theta, new long[] { n, Image.Channels, Image.Height, Image.Width }, align_corners: false);
        var moved = nn.functional.grid_sample(images, grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
        return moved.reshape(n, Image.Size);
    }
}

using System.Text.Json.Serialization;

namespace Autoencoders.ML.Architecture;

/// <summary>
/// The shape of one image as channels × height × width. A row of <see cref="Size"/> values holds the image
/// channel-major (planar): all of channel 0 row by row, then channel 1, and so on, which is the layout ML.NET's
/// <c>ExtractPixels</c> writes with its default options.
/// </summary>
/// <param name="Channels">Number of channels (1 for grey, 3 for RGB).</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public sealed record ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Number of values of one image, C·H·W.</summary>
    [JsonIgnore]
    public int Size => checked(Channels * Height * Width);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless every dimension is positive.</summary>
    /// <param name="name">The option or parameter the shape came from.</param>
    public void Validate(string name)
    {
        if (Channels <= 0 || Height <= 0 || Width <= 0)
        {
            throw new ArgumentOutOfRangeException(name, this.ToString(), $"{name} {this} must have a positive number of channels, height and width.");
        }
    }

    /// <summary>The shape as <c>C×H×W</c>, e.g. <c>3×32×32</c>.</summary>
    public override string ToString() => $"{Channels}×{Height}×{Width}";
}

using System.Text.Json.Serialization;

namespace Autoencoders.ML.Layers;

/// <summary>
/// A layer that works on images of <see cref="InputShape"/> (C×H×W). Its flat sizes are C·H·W, so it chains with dense
/// layers: a flat row is read as an image channel-major, and an image is flattened back in the same order.
/// </summary>
internal abstract record ImageLayerSpec : LayerSpec
{
    /// <summary>Shape of the image entering the layer.</summary>
    [JsonIgnore]
    public abstract ImageShape InputShape { get; }

    /// <summary>Shape of the image leaving the layer.</summary>
    [JsonIgnore]
    public abstract ImageShape OutputShape { get; }

    /// <inheritdoc />
    [JsonIgnore]
    public sealed override int InputSize => InputShape.Size;

    /// <inheritdoc />
    [JsonIgnore]
    public sealed override int OutputSize => OutputShape.Size;

    /// <inheritdoc />
    internal sealed override ImageShape InputImage => InputShape;

    /// <inheritdoc />
    internal sealed override ImageShape OutputImage => OutputShape;

    /// <inheritdoc />
    internal override string Describe(bool input) => (input ? InputShape : OutputShape).ToString();
}

using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Layers;

/// <summary>
/// Crops rows and columns from the bottom and right, or zero-pads them there, to reach <paramref name="Height"/> ×
/// <paramref name="Width"/>; the channels are kept. Anchored at the top-left because stride-2 layers with padding k/2
/// keep pixel 2·i of the larger image aligned with pixel i of the smaller one, so the surplus is at the bottom and right.
/// Its module is a parameterless <see cref="CropOrPad"/>; in ONNX it is Slice and/or Pad.
/// </summary>
/// <param name="Input">Input image shape.</param>
/// <param name="Height">Output height.</param>
/// <param name="Width">Output width.</param>
internal sealed record CropOrPadLayerSpec(ImageShape Input, int Height, int Width) : ImageLayerSpec
{
    /// <inheritdoc />
    public override ImageShape InputShape => Input;

    /// <inheritdoc />
    public override ImageShape OutputShape => new(Input.Channels, Height, Width);

    /// <inheritdoc />
    [System.Text.Json.Serialization.JsonIgnore]
    public override Activation Activation => Activation.None;

    /// <inheritdoc />
    public override long ParameterCount => 0;

    /// <inheritdoc />
    internal override nn.Module<Tensor, Tensor> CreateModule() => new CropOrPad(Height, Width);

    /// <inheritdoc />
    internal override void Emit(OnnxGraphBuilder graph, nn.Module<Tensor, Tensor> module, string prefix, string input, string output)
    {
        bool crop = Input.Height > Height || Input.Width > Width;
        bool pad = Input.Height < Height || Input.Width < Width;
        if (!crop && !pad)
        {
            graph.AddNode("Identity", new[] { input }, output);
            return;
        }

        string cropped = input;
        if (crop)
        {
            cropped = pad ? prefix + ".cropped" : output;
            graph.AddNode(
                "Slice",
                new[]
                {
                    input,
                    graph.Int64(prefix + ".starts", 0, 0),
                    graph.Int64(prefix + ".ends", Math.Min(Input.Height, Height), Math.Min(Input.Width, Width)),
                    graph.Int64(prefix + ".axes", 2, 3),
                },
                cropped);
        }

        if (pad)
        {
            // Pads are all the begins (N, C, H, W), then all the ends: only the bottom and right grow.
            graph.AddNode("Pad", new[] { cropped, graph.Int64(prefix + ".pads", 0, 0, 0, 0, 0, 0, Math.Max(0, Height - Input.Height), Math.Max(0, Width - Input.Width)) }, output);
        }
    }
}

/// <summary>Crops the bottom and right of (N, C, H, W) images, or zero-pads them there, to a fixed height and width.</summary>
internal sealed class CropOrPad : nn.Module<Tensor, Tensor>
{
    private readonly long height;
    private readonly long width;

    public CropOrPad(int height, int width)
        : base(nameof(CropOrPad))
    {
        this.height = height;
        this.width = width;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        long h = x.shape[2];
        long w = x.shape[3];
        if (h > height)
        {
            x = x.narrow(2, 0, height);
        }

        if (w > width)
        {
            x = x.narrow(3, 0, width);
        }

        if (h < height || w < width)
        {
            // pad takes (left, right, top, bottom) for the last two dimensions.
            x = nn.functional.pad(x, new[] { 0L, Math.Max(0, width - w), 0L, Math.Max(0, height - h) });
        }

        return x;
    }
}

using System;
using Autoencoders.ML.Architecture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.ML.Models;

/// <summary>
/// A convolution-like layer on (N, C, H, W) images: the convolution, then batch normalisation when the spec asks for
/// it. The activation is applied by <see cref="LayerStack"/>, as for dense layers. State-dict keys are
/// <c>conv.weight</c>, <c>conv.bias</c> and <c>norm.*</c>.
/// </summary>
internal abstract class ImageBlock : nn.Module<Tensor, Tensor>
{
    protected ImageBlock(string name)
        : base(name)
    {
    }

    /// <summary>The convolution's weight: (out, in, k, k) for a convolution, (in, out, k, k) for a transposed one.</summary>
    public abstract Tensor Weight { get; }

    /// <summary>The convolution's bias, (out).</summary>
    public abstract Tensor? Bias { get; }

    /// <summary>Batch normalisation after the convolution, or null.</summary>
    public abstract BatchNorm2d? Norm { get; }

    /// <summary>The module of <paramref name="spec"/>: a convolution block, or a parameterless crop/pad.</summary>
    public static nn.Module<Tensor, Tensor> Create(ImageLayerSpec spec) => spec switch
    {
        Conv2dLayerSpec c => new ConvolutionBlock(
            nn.Conv2d(c.Input.Channels, c.Filters, c.KernelSize, stride: c.Stride, padding: c.Padding), c.BatchNorm ? c.Filters : null, upsample: 1),
        UpsampleConv2dLayerSpec u => new ConvolutionBlock(
            nn.Conv2d(u.Input.Channels, u.Filters, u.KernelSize, stride: 1, padding: u.KernelSize / 2), u.BatchNorm ? u.Filters : null, u.Scale),
        ConvTranspose2dLayerSpec t => new TransposedConvolutionBlock(
            nn.ConvTranspose2d(t.Input.Channels, t.Filters, t.KernelSize, stride: t.Stride, padding: t.Padding, output_padding: t.OutputPadding),
            t.BatchNorm ? t.Filters : null),
        CropOrPadLayerSpec p => new CropOrPad(p.Height, p.Width),
        _ => throw new NotSupportedException($"No module for image layer {spec.GetType().Name}."),
    };
}

/// <summary>Optional nearest-neighbour upsampling, a convolution and optional batch norm.</summary>
internal sealed class ConvolutionBlock : ImageBlock
{
    // Field names are state-dict prefixes: keep them stable, saved weights depend on them.
    private readonly Conv2d conv;
    private readonly BatchNorm2d? norm;
    private readonly int upsample;

    public ConvolutionBlock(Conv2d conv, int? normFeatures, int upsample)
        : base(nameof(ConvolutionBlock))
    {
        this.conv = conv;
        norm = normFeatures is int features ? nn.BatchNorm2d(features) : null;
        this.upsample = upsample;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor Weight => conv.weight!;

    /// <inheritdoc />
    public override Tensor? Bias => conv.bias;

    /// <inheritdoc />
    public override BatchNorm2d? Norm => norm;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        if (upsample != 1)
        {
            x = nn.functional.interpolate(x, scale_factor: new double[] { upsample, upsample }, mode: InterpolationMode.Nearest);
        }

        x = conv.forward(x);
        return norm is null ? x : norm.forward(x);
    }
}

/// <summary>A transposed convolution and optional batch norm.</summary>
internal sealed class TransposedConvolutionBlock : ImageBlock
{
    // Field names are state-dict prefixes: keep them stable, saved weights depend on them.
    private readonly ConvTranspose2d conv;
    private readonly BatchNorm2d? norm;

    public TransposedConvolutionBlock(ConvTranspose2d conv, int? normFeatures)
        : base(nameof(TransposedConvolutionBlock))
    {
        this.conv = conv;
        norm = normFeatures is int features ? nn.BatchNorm2d(features) : null;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor Weight => conv.weight!;

    /// <inheritdoc />
    public override Tensor? Bias => conv.bias;

    /// <inheritdoc />
    public override BatchNorm2d? Norm => norm;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        x = conv.forward(x);
        return norm is null ? x : norm.forward(x);
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

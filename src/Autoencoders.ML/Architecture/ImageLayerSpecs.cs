using System;
using System.Text.Json.Serialization;

namespace Autoencoders.ML.Architecture;

/// <summary>
/// A layer that works on images of <see cref="InputShape"/> (C×H×W). Its flat sizes are C·H·W, so it chains with dense
/// layers: a flat row is read as an image channel-major, and an image is flattened back in the same order.
/// </summary>
public abstract record ImageLayerSpec : LayerSpec
{
    /// <summary>Shape of the image entering the layer.</summary>
    [JsonIgnore]
    public abstract ImageShape InputShape { get; }

    /// <summary>Shape of the image leaving the layer.</summary>
    [JsonIgnore]
    public abstract ImageShape OutputShape { get; }

    /// <summary>Number of trainable parameters (weights, biases and batch-norm scale and shift).</summary>
    [JsonIgnore]
    public abstract long ParameterCount { get; }

    /// <inheritdoc />
    [JsonIgnore]
    public sealed override int InputSize => InputShape.Size;

    /// <inheritdoc />
    [JsonIgnore]
    public sealed override int OutputSize => OutputShape.Size;

    /// <summary>Parameters of a k×k convolution from <paramref name="inputs"/> to <paramref name="outputs"/> channels, with bias and optional batch norm.</summary>
    private protected static long ConvolutionParameters(int inputs, int outputs, int kernelSize, bool batchNorm) =>
        ((long)inputs * outputs * kernelSize * kernelSize) + outputs + (batchNorm ? 2L * outputs : 0);

    /// <summary>Throws unless <paramref name="kernelSize"/> is odd and positive, which keeps padding k/2 symmetric.</summary>
    private protected static void CheckKernel(int kernelSize)
    {
        if (kernelSize <= 0 || kernelSize % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "The kernel size must be odd and positive (3, 5, 7...).");
        }
    }
}

/// <summary>
/// A 2-D convolution (with bias), then optional batch normalisation, then the activation:
/// output height ⌊(H + 2·padding − k) / stride⌋ + 1, and the same for the width.
/// </summary>
/// <param name="Input">Input image shape.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelSize">Square kernel size.</param>
/// <param name="Stride">Stride in both directions (2 halves the image).</param>
/// <param name="Padding">Zero padding on every side.</param>
/// <param name="Act">Activation after the convolution (and batch norm).</param>
/// <param name="BatchNorm">Batch normalisation between the convolution and the activation.</param>
public sealed record Conv2dLayerSpec(ImageShape Input, int Filters, int KernelSize, int Stride, int Padding, Activation Act, bool BatchNorm = false)
    : ImageLayerSpec
{
    /// <inheritdoc />
    public override ImageShape InputShape => Input;

    /// <inheritdoc />
    public override ImageShape OutputShape =>
        new(Filters, ((Input.Height + (2 * Padding) - KernelSize) / Stride) + 1, ((Input.Width + (2 * Padding) - KernelSize) / Stride) + 1);

    /// <inheritdoc />
    [JsonIgnore]
    public override Activation Activation => Act;

    /// <inheritdoc />
    public override long ParameterCount => ConvolutionParameters(Input.Channels, Filters, KernelSize, BatchNorm);

    /// <summary>A stride-2 "same" convolution that maps H to ⌈H/2⌉ (odd <paramref name="kernelSize"/>, padding k/2).</summary>
    /// <param name="input">Input image shape.</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Odd kernel size.</param>
    /// <param name="activation">Activation.</param>
    /// <param name="batchNorm">Batch normalisation before the activation.</param>
    public static Conv2dLayerSpec Downsampling(ImageShape input, int filters, int kernelSize, Activation activation, bool batchNorm)
    {
        CheckKernel(kernelSize);
        return new Conv2dLayerSpec(input, filters, kernelSize, 2, kernelSize / 2, activation, batchNorm);
    }
}

/// <summary>
/// A 2-D transposed convolution (with bias), then optional batch normalisation, then the activation:
/// output height (H − 1)·stride − 2·padding + k + outputPadding, and the same for the width.
/// </summary>
/// <param name="Input">Input image shape.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelSize">Square kernel size.</param>
/// <param name="Stride">Stride in both directions (2 doubles the image).</param>
/// <param name="Padding">Padding removed from every side of the full output.</param>
/// <param name="OutputPadding">Extra rows and columns added at the bottom and right (less than the stride).</param>
/// <param name="Act">Activation after the transposed convolution (and batch norm).</param>
/// <param name="BatchNorm">Batch normalisation between the transposed convolution and the activation.</param>
public sealed record ConvTranspose2dLayerSpec(
    ImageShape Input, int Filters, int KernelSize, int Stride, int Padding, int OutputPadding, Activation Act, bool BatchNorm = false)
    : ImageLayerSpec
{
    /// <inheritdoc />
    public override ImageShape InputShape => Input;

    /// <inheritdoc />
    public override ImageShape OutputShape => new(Filters, Grow(Input.Height), Grow(Input.Width));

    /// <inheritdoc />
    [JsonIgnore]
    public override Activation Activation => Act;

    /// <inheritdoc />
    public override long ParameterCount => ConvolutionParameters(Input.Channels, Filters, KernelSize, BatchNorm);

    /// <summary>A stride-2 transposed convolution that maps H to exactly 2·H (odd <paramref name="kernelSize"/>, padding k/2, output padding 1).</summary>
    /// <param name="input">Input image shape.</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Odd kernel size.</param>
    /// <param name="activation">Activation.</param>
    /// <param name="batchNorm">Batch normalisation before the activation.</param>
    public static ConvTranspose2dLayerSpec Doubling(ImageShape input, int filters, int kernelSize, Activation activation, bool batchNorm)
    {
        CheckKernel(kernelSize);
        return new ConvTranspose2dLayerSpec(input, filters, kernelSize, 2, kernelSize / 2, 1, activation, batchNorm);
    }

    private int Grow(int size) => ((size - 1) * Stride) - (2 * Padding) + KernelSize + OutputPadding;
}

/// <summary>
/// Nearest-neighbour upsampling by <paramref name="Scale"/>, then a stride-1 "same" convolution (odd kernel, padding
/// k/2), optional batch normalisation and the activation: H → Scale·H. Avoids the checkerboard artefacts that
/// overlapping transposed-convolution kernels can leave.
/// </summary>
/// <param name="Input">Input image shape.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelSize">Odd square kernel size.</param>
/// <param name="Scale">Integer upsampling factor in both directions.</param>
/// <param name="Act">Activation after the convolution (and batch norm).</param>
/// <param name="BatchNorm">Batch normalisation between the convolution and the activation.</param>
public sealed record UpsampleConv2dLayerSpec(ImageShape Input, int Filters, int KernelSize, int Scale, Activation Act, bool BatchNorm = false)
    : ImageLayerSpec
{
    /// <inheritdoc />
    public override ImageShape InputShape => Input;

    /// <inheritdoc />
    public override ImageShape OutputShape => new(Filters, Input.Height * Scale, Input.Width * Scale);

    /// <inheritdoc />
    [JsonIgnore]
    public override Activation Activation => Act;

    /// <inheritdoc />
    public override long ParameterCount => ConvolutionParameters(Input.Channels, Filters, KernelSize, BatchNorm);

    /// <summary>×2 nearest upsampling then a "same" convolution (odd <paramref name="kernelSize"/>).</summary>
    /// <param name="input">Input image shape.</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Odd kernel size.</param>
    /// <param name="activation">Activation.</param>
    /// <param name="batchNorm">Batch normalisation before the activation.</param>
    public static UpsampleConv2dLayerSpec Doubling(ImageShape input, int filters, int kernelSize, Activation activation, bool batchNorm)
    {
        CheckKernel(kernelSize);
        return new UpsampleConv2dLayerSpec(input, filters, kernelSize, 2, activation, batchNorm);
    }
}

/// <summary>
/// Crops rows and columns from the bottom and right, or zero-pads them there, to reach <paramref name="Height"/> ×
/// <paramref name="Width"/>; the channels are kept. Anchored at the top-left because stride-2 layers with padding k/2
/// keep pixel 2·i of the larger image aligned with pixel i of the smaller one, so the surplus is at the bottom and right.
/// </summary>
/// <param name="Input">Input image shape.</param>
/// <param name="Height">Output height.</param>
/// <param name="Width">Output width.</param>
public sealed record CropOrPadLayerSpec(ImageShape Input, int Height, int Width) : ImageLayerSpec
{
    /// <inheritdoc />
    public override ImageShape InputShape => Input;

    /// <inheritdoc />
    public override ImageShape OutputShape => new(Input.Channels, Height, Width);

    /// <inheritdoc />
    [JsonIgnore]
    public override Activation Activation => Activation.None;

    /// <inheritdoc />
    public override long ParameterCount => 0;
}

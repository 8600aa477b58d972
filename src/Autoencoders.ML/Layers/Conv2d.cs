
namespace Autoencoders.ML.Layers;

/// <summary>
/// A 2-D convolution (with bias), then optional batch normalisation, then the activation:
/// output height ⌊(H + 2·padding − k) / stride⌋ + 1, and the same for the width. Its module is a
/// <see cref="ConvolutionBlock"/>; in ONNX it is Conv, BatchNormalization and the activation.
/// </summary>
/// <param name="Input">Input image shape.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelSize">Square kernel size.</param>
/// <param name="Stride">Stride in both directions (2 halves the image).</param>
/// <param name="Padding">Zero padding on every side.</param>
/// <param name="Act">Activation after the convolution (and batch norm).</param>
/// <param name="BatchNorm">Batch normalisation between the convolution and the activation.</param>
internal sealed record Conv2dLayerSpec(ImageShape Input, int Filters, int KernelSize, int Stride, int Padding, Activation Act, bool BatchNorm = false)
    : ConvolutionLayerSpec(Input, Filters, KernelSize, Act, BatchNorm)
{
    /// <inheritdoc />
    public override ImageShape OutputShape =>
        new(Filters, ((Input.Height + (2 * Padding) - KernelSize) / Stride) + 1, ((Input.Width + (2 * Padding) - KernelSize) / Stride) + 1);

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

    /// <inheritdoc />
    internal override nn.Module<Tensor, Tensor> CreateModule() =>
        new ConvolutionBlock(nn.Conv2d(Input.Channels, Filters, KernelSize, stride: Stride, padding: Padding), BatchNorm ? Filters : null);

    /// <inheritdoc />
    private protected override Convolution2d Geometry => new(KernelSize, Stride, Padding);
}

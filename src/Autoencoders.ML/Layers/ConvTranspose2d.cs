
namespace Autoencoders.ML.Layers;

/// <summary>
/// A 2-D transposed convolution (with bias), then optional batch normalisation, then the activation:
/// output height (H − 1)·stride − 2·padding + k + outputPadding, and the same for the width. Its module is a
/// <see cref="ConvolutionBlock"/>; in ONNX it is ConvTranspose, BatchNormalization and the activation.
/// </summary>
/// <param name="Input">Input image shape.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelSize">Square kernel size.</param>
/// <param name="Stride">Stride in both directions (2 doubles the image).</param>
/// <param name="Padding">Padding removed from every side of the full output.</param>
/// <param name="OutputPadding">Extra rows and columns added at the bottom and right (less than the stride).</param>
/// <param name="Act">Activation after the transposed convolution (and batch norm).</param>
/// <param name="BatchNorm">Batch normalisation between the transposed convolution and the activation.</param>
internal sealed record ConvTranspose2dLayerSpec(
    ImageShape Input, int Filters, int KernelSize, int Stride, int Padding, int OutputPadding, Activation Act, bool BatchNorm = false)
    : ConvolutionLayerSpec(Input, Filters, KernelSize, Act, BatchNorm)
{
    /// <inheritdoc />
    public override ImageShape OutputShape => new(Filters, Grow(Input.Height), Grow(Input.Width));

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

    /// <inheritdoc />
    internal override nn.Module<Tensor, Tensor> CreateModule() =>
        new ConvolutionBlock(
            nn.ConvTranspose2d(Input.Channels, Filters, KernelSize, stride: Stride, padding: Padding, output_padding: OutputPadding),
            BatchNorm ? Filters : null);

    /// <inheritdoc />
    private protected override Convolution2d Geometry => new(KernelSize, Stride, Padding, OutputPadding);

    private int Grow(int size) => ((size - 1) * Stride) - (2 * Padding) + KernelSize + OutputPadding;
}

using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Layers;

/// <summary>
/// Nearest-neighbour upsampling by <paramref name="Scale"/>, then a stride-1 "same" convolution (odd kernel, padding
/// k/2), optional batch normalisation and the activation: H → Scale·H. Avoids the checkerboard artefacts that
/// overlapping transposed-convolution kernels can leave. Its module is a <see cref="ConvolutionBlock"/> that upsamples;
/// in ONNX it is Resize (nearest), Conv, BatchNormalization and the activation.
/// </summary>
/// <param name="Input">Input image shape.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelSize">Odd square kernel size.</param>
/// <param name="Scale">Integer upsampling factor in both directions.</param>
/// <param name="Act">Activation after the convolution (and batch norm).</param>
/// <param name="BatchNorm">Batch normalisation between the convolution and the activation.</param>
internal sealed record UpsampleConv2dLayerSpec(ImageShape Input, int Filters, int KernelSize, int Scale, Activation Act, bool BatchNorm = false)
    : ConvolutionLayerSpec(Input, Filters, KernelSize, Act, BatchNorm)
{
    /// <inheritdoc />
    public override ImageShape OutputShape => new(Filters, Input.Height * Scale, Input.Width * Scale);

    /// <summary>The stride-1 "same" convolution: padding k/2 keeps the upsampled size.</summary>
    private protected override Convolution2d Geometry => new(KernelSize, 1, KernelSize / 2);

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

    /// <inheritdoc />
    internal override nn.Module<Tensor, Tensor> CreateModule() =>
        new ConvolutionBlock(
            nn.Conv2d(Input.Channels, Filters, KernelSize, stride: Geometry.Stride, padding: Geometry.Padding), BatchNorm ? Filters : null, Scale);

    /// <inheritdoc />
    internal override void Emit(OnnxGraphBuilder graph, nn.Module<Tensor, Tensor> module, string prefix, string input, string output)
    {
        // Opset 17 Resize: inputs X, roi (unused, empty name), scales. Asymmetric coordinates with floor pick source
        // pixel ⌊i / scale⌋, which is torch's "nearest".
        string upsampled = prefix + ".upsampled";
        graph.AddNode(
            "Resize", new[] { input, string.Empty, graph.Floats(prefix + ".upsample.scales", new float[] { 1, 1, Scale, Scale }, 4) }, upsampled,
            OnnxGraphBuilder.String("mode", "nearest"),
            OnnxGraphBuilder.String("coordinate_transformation_mode", "asymmetric"),
            OnnxGraphBuilder.String("nearest_mode", "floor"));
        base.Emit(graph, module, prefix, upsampled, output);
    }
}

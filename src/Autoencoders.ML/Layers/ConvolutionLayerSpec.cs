using System.Text.Json.Serialization;
using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Layers;

/// <summary>
/// A convolution-like image layer: <paramref name="Filters"/> output channels from a square kernel (with bias), then
/// optional batch normalisation, then the activation. Its module is a <see cref="ConvolutionBlock"/>; in ONNX it is the
/// convolution, BatchNormalization and the activation. Each concrete type states its geometry.
/// </summary>
/// <param name="Input">Input image shape.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelSize">Square kernel size.</param>
/// <param name="Act">Activation after the convolution (and batch norm).</param>
/// <param name="BatchNorm">Batch normalisation between the convolution and the activation.</param>
internal abstract record ConvolutionLayerSpec(ImageShape Input, int Filters, int KernelSize, Activation Act, bool BatchNorm) : ImageLayerSpec
{
    /// <inheritdoc />
    public sealed override ImageShape InputShape => Input;

    /// <inheritdoc />
    [JsonIgnore]
    public sealed override Activation Activation => Act;

    /// <inheritdoc />
    public sealed override long ParameterCount =>
        ((long)Input.Channels * Filters * KernelSize * KernelSize) + Filters + (BatchNorm ? 2L * Filters : 0);

    /// <summary>Kernel, stride, padding and output padding as the module and the ONNX node both use them.</summary>
    private protected abstract Convolution2d Geometry { get; }

    /// <inheritdoc />
    internal override void Emit(OnnxGraphBuilder graph, nn.Module<Tensor, Tensor> module, string prefix, string input, string output) =>
        ConvolutionBlock.Of(module, prefix).Emit(graph, this, Geometry, prefix, input, output);

    /// <summary>Throws unless <paramref name="kernelSize"/> is odd and positive, which keeps padding k/2 symmetric.</summary>
    private protected static void CheckKernel(int kernelSize)
    {
        if (kernelSize <= 0 || kernelSize % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"The kernel size must be odd and positive (3, 5, 7...); got {kernelSize}.");
        }
    }
}

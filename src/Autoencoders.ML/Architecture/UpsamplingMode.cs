namespace Autoencoders.ML.Architecture;

/// <summary>How a convolutional decoder doubles the image size at each block.</summary>
public enum UpsamplingMode
{
    /// <summary>A stride-2 transposed convolution (learned upsampling).</summary>
    TransposedConvolution,

    /// <summary>Nearest-neighbour ×2 upsampling followed by a stride-1 convolution (no checkerboard artefacts).</summary>
    UpsampleConvolution,
}

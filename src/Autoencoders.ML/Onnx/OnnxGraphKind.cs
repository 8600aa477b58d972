namespace Autoencoders.ML.Onnx;

/// <summary>Which part of an autoencoder an ONNX export contains.</summary>
public enum OnnxGraphKind
{
    /// <summary>
    /// <see cref="OnnxNames.Features"/> [batch, input size] → <see cref="OnnxNames.Latent"/> [batch, latent size].
    /// </summary>
    Encoder,

    /// <summary>
    /// <see cref="OnnxNames.Latent"/> [batch, latent size] → <see cref="OnnxNames.Reconstruction"/> [batch, output size],
    /// output activation applied.
    /// </summary>
    Decoder,

    /// <summary>
    /// <see cref="OnnxNames.Features"/> → <see cref="OnnxNames.Reconstruction"/> and <see cref="OnnxNames.Latent"/>
    /// (two outputs, in that order).
    /// </summary>
    Autoencoder,
}

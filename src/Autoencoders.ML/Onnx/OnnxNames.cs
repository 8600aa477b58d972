namespace Autoencoders.ML.Onnx;

/// <summary>
/// The names of the inputs, outputs and dimensions of every exported ONNX graph. They are the deployment contract:
/// code that feeds an exported model (ML.NET's ONNX transform, ONNX Runtime, other languages) binds to these names.
/// </summary>
public static class OnnxNames
{
    /// <summary>Input of the encoder and autoencoder graphs: rows of input values, shape [batch, input size].</summary>
    public const string Features = "features";

    /// <summary>
    /// Output of the encoder and autoencoder graphs and input of the decoder graph: latent codes, shape
    /// [batch, latent size].
    /// </summary>
    public const string Latent = "latent";

    /// <summary>Output of the decoder and autoencoder graphs: reconstructed rows, shape [batch, output size].</summary>
    public const string Reconstruction = "reconstruction";

    /// <summary>Output of a variational encoder graph: the posterior mean μ, shape [batch, latent size].</summary>
    public const string Mean = "mean";

    /// <summary>Output of a variational encoder graph: the posterior log-variance log σ², shape [batch, latent size].</summary>
    public const string LogVariance = "log_variance";

    /// <summary>The symbolic (dim_param) name of the first dimension of every input and output.</summary>
    public const string BatchDimension = "batch";
}

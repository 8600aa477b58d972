using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// The graph a transform runs: the encoder or the full autoencoder with the requested outputs, optionally a per-row
/// reconstruction error, and optionally its inputs and outputs renamed (so that ML.NET's OnnxTransformer, which maps
/// tensor names to column names, can carry it inside a saved model).
/// </summary>
internal static class OnnxScoringGraph
{
    /// <summary>Per-row mean squared error between the reconstruction and the input, shape [batch].</summary>
    public const string ReconstructionError = "reconstruction_error";

    /// <summary>Builds the scoring graph.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="outputs">Requested outputs among <see cref="OnnxNames.Latent"/>, <see cref="OnnxNames.Reconstruction"/> and <see cref="ReconstructionError"/> (and <see cref="OnnxNames.LogVariance"/> for a variational model, whose latent is the posterior mean), in the order wanted.</param>
    /// <param name="rename">Tensor name → new name for graph inputs and outputs (null keeps the contract names).</param>
    /// <param name="perRow">One row per run (see <see cref="OnnxGraphOptions.PerRow"/>).</param>
    public static ModelProto Build(
        AutoencoderModel model, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, string>? rename = null, bool perRow = false)
    {
        bool needsDecoder = outputs.Contains(OnnxNames.Reconstruction) || outputs.Contains(ReconstructionError);
        // The transform's code column is the posterior mean for a VAE, under the graph name every transform reads.
        return OnnxExporter.Build(
            model, new OnnxExportRequest(needsDecoder ? OnnxGraphKind.Autoencoder : OnnxGraphKind.Encoder, outputs, rename, perRow, Code: OnnxNames.Latent));
    }
}

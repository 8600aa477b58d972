namespace Autoencoders.ML.Onnx;

/// <summary>Which graph <see cref="OnnxExporter"/> writes and how its inputs and outputs are shaped.</summary>
/// <param name="Graph">Encoder, decoder or the full autoencoder.</param>
/// <param name="Outputs">
/// The outputs to keep, in order, among the graph's own and <see cref="OnnxScoringGraph.ReconstructionError"/> (which
/// adds the per-row mean squared error); null keeps the graph's outputs in their contract order.
/// </param>
/// <param name="Rename">Contract name → the name the graph's input or output gets (null keeps the contract names).</param>
/// <param name="PerRow">One row per run, for ML.NET's OnnxTransformer (see <see cref="OnnxGraphOptions.PerRow"/>).</param>
/// <param name="Code">The name of the code output; null uses the kind's own (<c>latent</c>, or <c>mean</c> for a VAE).</param>
internal sealed record OnnxExportRequest(
    OnnxGraphKind Graph,
    IReadOnlyList<string>? Outputs = null,
    IReadOnlyDictionary<string, string>? Rename = null,
    bool PerRow = false,
    string? Code = null);

using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// The graph the decode transform runs: the model's decoder graph (<c>latent</c> → <c>reconstruction</c>, output
/// activation included), optionally renamed and in the one-row form ML.NET's OnnxTransformer needs when saved.
/// </summary>
internal static class DecoderScoringGraph
{
    /// <summary>Builds the decoder scoring graph of <paramref name="model"/>.</summary>
    /// <param name="model">A trained model of any kind.</param>
    /// <param name="rename">Tensor name → new name for the graph's input and output (null keeps the contract names).</param>
    /// <param name="perRow">One row per run (see <see cref="OnnxGraphOptions.PerRow"/>).</param>
    public static ModelProto Build(AutoencoderModel model, IReadOnlyDictionary<string, string>? rename = null, bool perRow = false) =>
        OnnxExporter.Build(model, new OnnxExportRequest(OnnxGraphKind.Decoder, Rename: rename, PerRow: perRow));
}

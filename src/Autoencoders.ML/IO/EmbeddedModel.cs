using System.IO;
using System.Security.Cryptography;
using System.Text;
using Autoencoders.ML.Onnx;
using Onnx;

namespace Autoencoders.ML.IO;

/// <summary>
/// The whole model — <c>model.json</c> and <c>weights.bin</c>, the same bytes <see cref="AutoencoderModel.Save"/>
/// writes — kept in the metadata_props of the graph a saved ML.NET pipeline embeds, so that loading the pipeline with
/// this library gives back the trained model exactly (decode, posterior, export, continued training), while stock
/// ML.NET ignores the entries. Keys: <c>autoencoders_ml.model_json</c> (the JSON text), <c>autoencoders_ml.weights</c>
/// (base64) and <c>autoencoders_ml.weights_sha256</c> (hex, checked on load).
/// </summary>
internal static class EmbeddedModel
{
    /// <summary>The metadata entries that carry <paramref name="model"/>.</summary>
    public static IEnumerable<(string Key, string Value)> Entries(AutoencoderModel model)
    {
        var (config, weights) = ModelArchive.Essentials(model);
        yield return (OnnxNames.ModelJsonKey, Encoding.UTF8.GetString(config));
        yield return (OnnxNames.WeightsKey, Convert.ToBase64String(weights));
        yield return (OnnxNames.WeightsChecksumKey, Convert.ToHexStringLower(SHA256.HashData(weights)));
    }

    /// <summary>The checksum entry of <paramref name="graph"/>, or null if it carries no model (saved by a version before this one).</summary>
    public static string? Checksum(ModelProto graph) => Value(graph, OnnxNames.WeightsChecksumKey);

    /// <summary>Rebuilds the model <paramref name="graph"/> carries.</summary>
    /// <param name="graph">A graph with the entries of <see cref="Entries"/>.</param>
    /// <param name="source">Names the graph in errors (the zip and the entry).</param>
    /// <exception cref="InvalidDataException">An entry is missing, not base64, or does not match its checksum.</exception>
    public static AutoencoderModel Read(ModelProto graph, string source)
    {
        string config = Value(graph, OnnxNames.ModelJsonKey) ?? throw Missing(source, OnnxNames.ModelJsonKey);
        string encoded = Value(graph, OnnxNames.WeightsKey) ?? throw Missing(source, OnnxNames.WeightsKey);
        string checksum = Value(graph, OnnxNames.WeightsChecksumKey) ?? throw Missing(source, OnnxNames.WeightsChecksumKey);
        byte[] weights;
        try
        {
            weights = Convert.FromBase64String(encoded);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"'{source}': metadata entry {OnnxNames.WeightsKey} is not base64 ({e.Message}). The file is damaged; save the pipeline again.", e);
        }

        string actual = Convert.ToHexStringLower(SHA256.HashData(weights));
        if (!string.Equals(actual, checksum, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"'{source}': the embedded weights do not match their checksum (expected SHA-256 {checksum}, got {actual}). The file is damaged or was edited; save the pipeline again.");
        }

        return ModelArchive.FromEssentials(source, Encoding.UTF8.GetBytes(config), weights);
    }

    /// <summary>The value of metadata entry <paramref name="key"/>, or null.</summary>
    public static string? Value(ModelProto graph, string key) =>
        graph.MetadataProps.FirstOrDefault(p => p.Key == key)?.Value;

    /// <summary>The error for a missing metadata entry.</summary>
    public static InvalidDataException Missing(string source, string key) =>
        new($"'{source}': metadata entry {key} is missing, so the model cannot be rebuilt. The file is damaged; save the pipeline again.");
}

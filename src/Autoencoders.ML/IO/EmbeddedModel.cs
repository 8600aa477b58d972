using System.IO;
using System.Security.Cryptography;
using System.Text;
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
    public const string ConfigKey = "autoencoders_ml.model_json";
    public const string WeightsKey = "autoencoders_ml.weights";
    public const string ChecksumKey = "autoencoders_ml.weights_sha256";

    /// <summary>The metadata entries that carry <paramref name="model"/>.</summary>
    public static IEnumerable<(string Key, string Value)> Entries(AutoencoderModel model)
    {
        var (config, weights) = ModelArchive.Essentials(model);
        yield return (ConfigKey, Encoding.UTF8.GetString(config));
        yield return (WeightsKey, Convert.ToBase64String(weights));
        yield return (ChecksumKey, Convert.ToHexStringLower(SHA256.HashData(weights)));
    }

    /// <summary>The checksum entry of <paramref name="graph"/>, or null if it carries no model (saved by a version before this one).</summary>
    public static string? Checksum(ModelProto graph) => Value(graph, ChecksumKey);

    /// <summary>Rebuilds the model <paramref name="graph"/> carries.</summary>
    /// <param name="graph">A graph with the entries of <see cref="Entries"/>.</param>
    /// <param name="source">Names the graph in errors (the zip and the entry).</param>
    /// <exception cref="InvalidDataException">An entry is missing, not base64, or does not match its checksum.</exception>
    public static AutoencoderModel Read(ModelProto graph, string source)
    {
        string config = Value(graph, ConfigKey) ?? throw Missing(source, ConfigKey);
        string encoded = Value(graph, WeightsKey) ?? throw Missing(source, WeightsKey);
        string checksum = Value(graph, ChecksumKey) ?? throw Missing(source, ChecksumKey);
        byte[] weights;
        try
        {
            weights = Convert.FromBase64String(encoded);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"'{source}': metadata entry {WeightsKey} is not base64 ({e.Message}). The file is damaged; save the pipeline again.", e);
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

using System.IO;
using System.Security.Cryptography;
using Google.Protobuf;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Checksums of every graph this library writes. The metadata entry <see cref="OnnxNames.GraphChecksumKey"/> holds the SHA-256 of the serialized
/// <c>GraphProto</c> (nodes and weights); the entry <see cref="OnnxNames.ModelChecksumKey"/> the SHA-256 of the whole model without that
/// entry, so it covers the metadata too (an anomaly graph's <c>threshold</c>, a classifier's <c>labels</c>, the model
/// and transform a saved pipeline carries). ONNX Runtime loads a file whose weights or metadata were damaged (a flipped
/// bit, an edited value) and scores it, or is read, wrongly without a word; code that reads a graph file (the CLI's
/// <c>score</c> and <c>predict</c>, <c>LoadAutoencoderPipeline</c>, or a user's own loader) calls <see cref="Verify(byte[], string)"/>
/// first and refuses such a file, naming it. Graphs the library builds in memory for its transforms are not re-checked.
/// Graphs without the entries (written by other tools or by earlier versions) are not checked; a graph with only
/// <see cref="OnnxNames.GraphChecksumKey"/> has its nodes and weights checked.
/// </summary>
internal static class OnnxIntegrity
{
    /// <summary>The SHA-256 of <paramref name="graph"/> as written.</summary>
    internal static string Hash(GraphProto graph) => Convert.ToHexStringLower(SHA256.HashData(graph.ToByteArray()));

    /// <summary>
    /// Writes both checksums into <paramref name="model"/> as its last metadata entries (replacing earlier ones): call it
    /// after the last change to the graph or the metadata.
    /// </summary>
    internal static void Seal(ModelProto model)
    {
        RemoveEntries(model, OnnxNames.GraphChecksumKey, OnnxNames.ModelChecksumKey);
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxNames.GraphChecksumKey, Value = Hash(model.Graph) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxNames.ModelChecksumKey, Value = ModelHash(model) });
    }

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> when the ONNX model in
    /// <paramref name="model"/> carries <see cref="OnnxNames.GraphChecksumKey"/> or <see cref="OnnxNames.ModelChecksumKey"/> and does not match it. A file that is
    /// not valid ONNX is left to ONNX Runtime, whose error says so.
    /// </summary>
    /// <param name="model">The bytes of an .onnx file.</param>
    /// <param name="source">The file or transform the bytes came from, for the message.</param>
    /// <exception cref="InvalidDataException">The graph or its metadata do not match their checksum.</exception>
    public static void Verify(byte[] model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException)
        {
            return;
        }

        Verify(proto, source);
    }

    /// <summary>As <see cref="Verify(byte[], string)"/>, for a parsed model.</summary>
    /// <param name="proto">The model.</param>
    /// <param name="source">The file or entry, for the message.</param>
    internal static void Verify(ModelProto proto, string source)
    {
        var entry = proto.MetadataProps.FirstOrDefault(p => p.Key == OnnxNames.GraphChecksumKey);
        if (entry != null && proto.Graph != null)
        {
            string actual = Hash(proto.Graph);
            if (!string.Equals(actual, entry.Value, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException(
                    $"{source}: the ONNX graph does not match its checksum, the SHA-256 in its metadata '{OnnxNames.GraphChecksumKey}' (expected {entry.Value}, got {actual}): the file is damaged " +
                    "or was edited, and would score wrongly. Restore it or export/train again.");
            }
        }

        var whole = proto.MetadataProps.FirstOrDefault(p => p.Key == OnnxNames.ModelChecksumKey);
        if (whole != null)
        {
            string actual = ModelHash(proto);
            if (!string.Equals(actual, whole.Value, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException(
                    $"{source}: the ONNX model's metadata ({string.Join(", ", proto.MetadataProps.Select(p => p.Key).Where(k => k != OnnxNames.ModelChecksumKey))}) does not match " +
                    $"its checksum, the SHA-256 in '{OnnxNames.ModelChecksumKey}' (expected {whole.Value}, got {actual}): the file is damaged or was edited, and would be read wrongly. " +
                    "Restore it or export/train again.");
            }
        }
    }

    /// <summary>
    /// Refuses a model without <see cref="OnnxNames.ModelChecksumKey"/> (every task transform writes it); whether it matches is
    /// <see cref="Verify(ModelProto, string)"/>'s part.
    /// </summary>
    /// <exception cref="InvalidDataException">The entry is missing.</exception>
    internal static void RequireModelChecksum(ModelProto proto, string source)
    {
        if (proto.MetadataProps.All(p => p.Key != OnnxNames.ModelChecksumKey))
        {
            throw new InvalidDataException(
                $"{source}: the metadata entry '{OnnxNames.ModelChecksumKey}' (the checksum of the graph and its settings) is missing: the file is damaged or was edited. Save it again.");
        }
    }

    // The model as serialized without its OnnxNames.ModelChecksumKey entry.
    private static string ModelHash(ModelProto model)
    {
        var copy = model.Clone();
        RemoveEntries(copy, OnnxNames.ModelChecksumKey);
        return Convert.ToHexStringLower(SHA256.HashData(copy.ToByteArray()));
    }

    private static void RemoveEntries(ModelProto model, params string[] keys)
    {
        for (int i = model.MetadataProps.Count - 1; i >= 0; i--)
        {
            if (keys.Contains(model.MetadataProps[i].Key))
            {
                model.MetadataProps.RemoveAt(i);
            }
        }
    }
}

using System.IO;
using System.Security.Cryptography;
using Google.Protobuf;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// A checksum of every graph this library writes: the metadata entry <see cref="Key"/> holds the SHA-256 of the
/// serialized <c>GraphProto</c> (nodes and weights). ONNX Runtime loads a file whose weights were damaged (a flipped bit,
/// an edited value) and scores it wrongly without a word; code that reads a graph file (the CLI's <c>score</c> and
/// <c>predict</c>, or a user's own loader) calls <see cref="Verify"/> first and refuses such a file, naming it. Graphs
/// the library builds in memory for its transforms are not re-checked. Graphs without the entry (written by other tools or by versions before it) are not checked.
/// </summary>
public static class OnnxIntegrity
{
    /// <summary>The metadata key of the graph's SHA-256 (lower-case hex).</summary>
    public const string Key = "autoencoders_ml.graph_sha256";

    /// <summary>The SHA-256 of <paramref name="graph"/> as written.</summary>
    internal static string Hash(GraphProto graph) => Convert.ToHexStringLower(SHA256.HashData(graph.ToByteArray()));

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> when the ONNX model in
    /// <paramref name="model"/> carries <see cref="Key"/> and its graph does not match it. A file that is not valid
    /// ONNX is left to ONNX Runtime, whose error says so.
    /// </summary>
    /// <param name="model">The bytes of an .onnx file.</param>
    /// <param name="source">The file or transform the bytes came from, for the message.</param>
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

        var entry = proto.MetadataProps.FirstOrDefault(p => p.Key == Key);
        if (entry == null || proto.Graph == null)
        {
            return;
        }

        string actual = Hash(proto.Graph);
        if (!string.Equals(actual, entry.Value, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"{source}: the ONNX graph does not match the SHA-256 in its metadata '{Key}' (expected {entry.Value}, got {actual}): the file is damaged " +
                "or was edited, and would score wrongly. Restore it or export/train again.");
        }
    }
}

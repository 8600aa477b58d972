using System;
using System.IO;
using System.IO.Compression;

namespace Autoencoders.ML.Tests;

/// <summary>Edits one graph inside an ML.NET model zip, the way a damaged or hand-edited file would look.</summary>
internal static class PipelineZip
{
    /// <summary>Parses the graph of <paramref name="entryName"/> (a 4-byte length, then ONNX), applies <paramref name="edit"/> and writes it back.</summary>
    public static void EditGraph(string zip, string entryName, Action<global::Onnx.ModelProto> edit)
    {
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Update);
        var entry = archive.GetEntry(entryName) ?? throw new ArgumentException($"{zip} has no entry {entryName}.", nameof(entryName));
        byte[] bytes;
        using (var stream = entry.Open())
        using (var buffer = new MemoryStream())
        {
            stream.CopyTo(buffer);
            bytes = buffer.ToArray();
        }

        var proto = global::Onnx.ModelProto.Parser.ParseFrom(bytes.AsSpan(4).ToArray());
        edit(proto);
        byte[] edited = Google.Protobuf.MessageExtensions.ToByteArray(proto);
        entry.Delete();
        using var rewritten = archive.CreateEntry(entryName).Open();
        rewritten.Write(BitConverter.GetBytes(edited.Length));
        rewritten.Write(edited);
    }
}

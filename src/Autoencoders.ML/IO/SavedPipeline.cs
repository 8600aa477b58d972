using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Autoencoders.ML.Transforms;
using Onnx;

namespace Autoencoders.ML.IO;

/// <summary>
/// Reads an ML.NET model zip (written by <c>mlContext.Model.Save</c>) for the graphs this library's transforms left in
/// it, and puts the transforms back in place of ML.NET's stand-ins. ML.NET stores a transformer chain as folders:
/// <c>TransformerChain/Transform_000/…</c>, one per stage, nested for nested chains; an OnnxTransformer writes its graph
/// to the entry <c>OnnxModel</c> of its folder (a 4-byte length, then the ONNX bytes).
/// </summary>
internal static class SavedPipeline
{
    private const string Root = "TransformerChain";
    private const string GraphEntry = "OnnxModel";

    /// <summary>One of our graphs in the zip: its folder, the transform it describes, the graph (with the model in its metadata).</summary>
    public sealed record Graph(string Folder, SavedTransform Transform, ModelProto Proto);

    /// <summary>Whether <paramref name="zip"/> is an ML.NET model zip.</summary>
    public static bool IsPipeline(ZipArchive zip) =>
        zip.Entries.Any(e => e.FullName.StartsWith(Root + "/", StringComparison.Ordinal));

    /// <summary>This library's graphs in the ML.NET model zip, by folder.</summary>
    /// <exception cref="InvalidDataException">The zip or one of our graphs is damaged; the message names the file and entry.</exception>
    public static IReadOnlyDictionary<string, Graph> Graphs(ZipArchive zip, string source)
    {
        var graphs = new Dictionary<string, Graph>(StringComparer.Ordinal);
        foreach (var (entry, proto) in AllGraphs(zip, source))
        {
            if (SavedTransform.Of(proto, $"{source}!{entry}") is { } transform)
            {
                // Every setting the transform comes back with is covered (AllGraphs verified the checksums); a task's
                // graph must carry them, so that a removed entry is refused too.
                if (transform.IsTask)
                {
                    Autoencoders.ML.Onnx.OnnxIntegrity.RequireModelChecksum(proto, $"'{source}!{entry}'");
                }

                graphs[entry[..^(GraphEntry.Length + 1)]] = new Graph(entry, transform, proto);
            }
        }

        return graphs;
    }

    /// <summary>Graphs this library wrote before it kept the transform and the model in them (entry, graph).</summary>
    public static IReadOnlyList<(string Entry, ModelProto Proto)> EarlierGraphs(ZipArchive zip, string source) =>
        AllGraphs(zip, source).Where(g => GraphWeights.IsOurs(g.Proto) && SavedTransform.Of(g.Proto, g.Entry) == null).ToList();

    private static IEnumerable<(string Entry, ModelProto Proto)> AllGraphs(ZipArchive zip, string source)
    {
        foreach (var entry in zip.Entries.Where(e => e.Name == GraphEntry))
        {
            string where = $"{source}!{entry.FullName}";
            ModelProto proto;
            try
            {
                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
                int length = bytes.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : -1;
                if (length != bytes.Length - 4)
                {
                    throw new InvalidDataException($"the entry holds {bytes.Length} bytes but says {length} + 4");
                }

                proto = ModelProto.Parser.ParseFrom(bytes[4..]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"'{where}' is not a readable ONNX graph ({e.Message}). The file is truncated or damaged; save the pipeline again.", e);
            }

            Autoencoders.ML.Onnx.OnnxIntegrity.Verify(proto, $"'{where}'");

            yield return (entry.FullName, proto);
        }
    }

    /// <summary>
    /// <paramref name="loaded"/> (what stock <c>mlContext.Model.Load</c> gave for the zip) with each of our stand-ins
    /// replaced by the transform it was saved from, on the model rebuilt from its graph. Graphs that carry the same
    /// weights share one model.
    /// </summary>
    public static ITransformer Restore(ITransformer loaded, IReadOnlyDictionary<string, Graph> graphs, string source)
    {
        var models = new Dictionary<string, AutoencoderModel>(StringComparer.Ordinal);
        var restored = new List<IDisposable>();
        try
        {
            return Restore(loaded, Root, graphs, source, new Rebuilt(models, new HashSet<string>(StringComparer.Ordinal), restored));
        }
        catch
        {
            restored.ForEach(r => r.Dispose());
            models.Values.ToList().ForEach(m => m.Dispose());
            throw;
        }
    }

    /// <summary>The model that <paramref name="graph"/> carries.</summary>
    public static AutoencoderModel Model(Graph graph, string source) => EmbeddedModel.Read(graph.Proto, $"{source}!{graph.Folder}");

    private static ITransformer Restore(
        ITransformer node, string folder, IReadOnlyDictionary<string, Graph> graphs, string source,
        Rebuilt rebuilt)
    {
        var elements = node is IEnumerable<ITransformer> chain ? chain.ToList() : null;
        // One of ours saved as a chain of N stages whose first is its graph: N = 3 for a transform that replaces its
        // input column (OnnxTransformer, copy, drop), N = 2 for a task (OnnxTransformer, then its ML.NET stages).
        if (elements != null && graphs.TryGetValue($"{folder}/Transform_000", out var first) && first.Transform.SavedStages > 1
            && elements.Count == first.Transform.SavedStages)
        {
            return Replace(node, Rebuild(first, source, rebuilt));
        }

        if (elements == null)
        {
            return graphs.TryGetValue(folder, out var graph) && graph.Transform.SavedStages == 1 ? Replace(node, Rebuild(graph, source, rebuilt)) : node;
        }

        var replaced = elements.Select((e, i) => Restore(e, $"{folder}/Transform_{i:000}", graphs, source, rebuilt)).ToArray();
        return replaced.SequenceEqual(elements, ReferenceEqualityComparer.Instance) ? node : new TransformerChain<ITransformer>(replaced);
    }

    // The stand-in's ONNX Runtime session is released once its replacement exists.
    private static ITransformer Replace(ITransformer node, ITransformer? replacement)
    {
        if (replacement == null)
        {
            return node;
        }

        (node as IDisposable)?.Dispose();
        return replacement;
    }

    private static ITransformer? Rebuild(Graph graph, string source, Rebuilt rebuilt)
    {
        string? checksum = EmbeddedModel.Checksum(graph.Proto);
        if (checksum == null)
        {
            return null;
        }

        string where = $"{source}!{graph.Folder}";
        if (graph.Transform.IsTask)
        {
            // A task owns its model (the detector's scorer, the fine-tuned classifier, the clusters' mixture VAE).
            var own = EmbeddedModel.Read(graph.Proto, where);
            try
            {
                var task = graph.Transform.RestoreTask(own, graph.Proto, where);
                rebuilt.Transforms.Add(task);
                return task;
            }
            catch
            {
                own.Dispose();
                throw;
            }
        }

        if (!rebuilt.Models.TryGetValue(checksum, out var model))
        {
            model = EmbeddedModel.Read(graph.Proto, where);
            rebuilt.Models[checksum] = model;
        }

        // The first autoencoder transform on a model owns it (disposing it disposes the model); a decoder never does.
        bool owns = graph.Transform.Transform == nameof(AutoencoderTransformer) && rebuilt.Owned.Add(checksum);
        var transform = graph.Transform.Restore(model, owns, where);
        rebuilt.Transforms.Add(transform);
        return transform;
    }

    private sealed record Rebuilt(Dictionary<string, AutoencoderModel> Models, HashSet<string> Owned, List<IDisposable> Transforms);
}

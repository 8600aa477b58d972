using System.IO;
using Autoencoders.ML.IO;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Rebuilds a scoring transform from ML.NET's own pieces, so that <c>mlContext.Model.Save</c> can store it: an
/// <c>OnnxTransformer</c> on the one-row graph whose tensors are named after the columns, plus a copy when an output
/// replaces the input column. A third-party transformer cannot write its own state into a model zip (ML.NET keeps that
/// API internal); this stand-in can, and loads in any application that references Microsoft.ML.OnnxTransformer. Its graph
/// also carries the transform (<see cref="SavedTransform"/>) and the model (<see cref="EmbeddedModel"/>), so that
/// <c>mlContext.Model.LoadAutoencoderPipeline</c> can give the original transform back.
/// </summary>
internal static class PortableOnnxTransform
{
    /// <summary>
    /// Writes the stand-in for <paramref name="graph"/> to <paramref name="ctx"/> and releases it at once. ML.NET's
    /// OnnxTransformer keeps its graph in a temporary file; the stand-in is built with a private temporary folder, removed
    /// after the save, so that no file outlives the save.
    /// </summary>
    /// <param name="graph">The graph the transform runs.</param>
    /// <param name="entries">See <see cref="Build"/>.</param>
    /// <param name="ctx">ML.NET's save context.</param>
    public static void Save(ScoringGraph graph, Func<bool, IEnumerable<(string Key, string Value)>> entries, ModelSaveContext ctx)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"autoencoders-ml-save-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var standIn = Build(graph, entries, new MLContext { TempFilePath = folder });
            try
            {
                ((ICanSaveModel)standIn).Save(ctx);
            }
            finally
            {
                (standIn as IDisposable)?.Dispose();
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing to report beyond the save's own outcome; the folder is empty or holds one closed file.
            }
        }
    }

    /// <summary>The stand-in for <paramref name="graph"/>.</summary>
    /// <param name="graph">The graph the transform runs.</param>
    /// <param name="entries">
    /// (whether an output replaces the input column) → the metadata entries for LoadAutoencoderPipeline; sealed with a
    /// checksum over every metadata entry when there are any.
    /// </param>
    /// <param name="ml">The context whose temporary folder the OnnxTransformer uses.</param>
    public static ITransformer Build(ScoringGraph graph, Func<bool, IEnumerable<(string Key, string Value)>> entries, MLContext ml)
    {
        string input = graph.InputColumnName;

        // ML.NET's OnnxTransformer cannot write over its own input column: such an output goes to a temporary name and
        // is copied afterwards.
        var temporary = graph.Outputs.ToDictionary(
            o => o.ColumnName, o => o.ColumnName == input ? $"{o.ColumnName}.scoring.{Guid.NewGuid():N}" : o.ColumnName);
        var rename = new Dictionary<string, string> { [graph.OnnxInputName] = input };
        foreach (var output in graph.Outputs)
        {
            rename[output.OnnxOutput] = temporary[output.ColumnName];
        }

        // The graph carries the transform's description and the whole model, for LoadAutoencoderPipeline; stock
        // ML.NET ignores metadata_props.
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(graph.PerRow(rename));
        var ours = entries(temporary.Any(t => t.Key != t.Value)).ToList();
        foreach (var (key, value) in ours)
        {
            proto.MetadataProps.Add(new global::Onnx.StringStringEntryProto { Key = key, Value = value });
        }

        // The checksums cover the transform and the model too: LoadAutoencoderPipeline refuses a changed byte of either.
        Autoencoders.ML.Onnx.OnnxIntegrity.Seal(proto);

        byte[] onnx = proto.ToByteArray();
        IEstimator<ITransformer> pipeline = ml.Transforms.ApplyOnnxModel(
            graph.Outputs.Select(o => temporary[o.ColumnName]).ToArray(), new[] { input }, new MemoryStream(onnx));
        foreach (var (column, temp) in temporary.Where(t => t.Key != t.Value))
        {
            pipeline = pipeline.Append(ml.Transforms.CopyColumns(column, temp)).Append(ml.Transforms.DropColumns(temp));
        }

        return pipeline.Fit(EmptyInput(ml, input, graph.InputSize));
    }

    /// <summary>One row of zeros in a column of the graph's input size: what <c>Fit</c> needs to read the schema.</summary>
    private static IDataView EmptyInput(MLContext ml, string column, int size) =>
        VectorColumns.Load(ml.Data, new[] { new float[size] }, size, column);
}

using System.IO;
using Autoencoders.ML.IO;
using Autoencoders.ML.Onnx;
using Google.Protobuf;

namespace Autoencoders.ML.Anomaly;

/// <summary>
/// The anomaly graph's contract (<c>anomaly.onnx</c>): input <c>features</c> float32 [batch, input size] in the data's
/// own units, output <c>score</c> float32 [batch] (in [0, 1], higher = more anomalous), the threshold in the
/// metadata_props entry <c>threshold</c> (names in <see cref="OnnxNames"/>) (a row is an anomaly when score &gt; threshold).
/// </summary>
internal static class AnomalyOnnx
{
    /// <summary>The file name the CLI writes into every model folder.</summary>
    public const string FileName = "anomaly.onnx";

    /// <summary>The anomaly graph of <paramref name="scorer"/> (<c>features</c> → <c>score</c>) as ONNX bytes.</summary>
    /// <param name="scorer">A fitted scorer.</param>
    /// <param name="threshold">Threshold written to the metadata; null takes <see cref="AnomalyScorer.Threshold"/>.</param>
    public static byte[] ToOnnx(this AnomalyScorer scorer, double? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        return AnomalyOnnxGraph.Build(scorer, threshold ?? scorer.Threshold, new[] { OnnxNames.AnomalyScore }).ToByteArray();
    }

    /// <summary>Writes <see cref="ToOnnx"/> to <paramref name="path"/> atomically (whole or not at all; the directory must exist).</summary>
    /// <param name="scorer">A fitted scorer.</param>
    /// <param name="path">The file to create or replace, e.g. <c>anomaly.onnx</c>.</param>
    /// <param name="threshold">Threshold written to the metadata; null takes <see cref="AnomalyScorer.Threshold"/>.</param>
    public static void ExportOnnx(this AnomalyScorer scorer, string path, double? threshold = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = scorer.ToOnnx(threshold);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}

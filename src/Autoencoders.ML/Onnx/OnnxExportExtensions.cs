using System.IO;
using Autoencoders.ML.IO;
using Google.Protobuf;

namespace Autoencoders.ML.Onnx;

/// <summary>Exports a trained <see cref="AutoencoderModel"/> to ONNX (opset 17, float32, symbolic batch dimension).</summary>
/// <remarks>
/// Inputs and outputs are named by <see cref="OnnxNames"/>. The model's metadata_props carry <c>kind</c>, <c>graph</c>,
/// <c>input_size</c>, <c>latent_size</c>, <c>output_size</c>, <c>loss</c>, <c>input_scaling</c>,
/// <c>output_activation</c> and <c>architecture</c> (the spec as JSON).
/// </remarks>
public static class OnnxExportExtensions
{
    /// <summary>Serializes the chosen graph of <paramref name="model"/> as an ONNX model.</summary>
    /// <param name="model">A trained model.</param>
    /// <param name="graph">Encoder, decoder or the full autoencoder.</param>
    /// <returns>The bytes of an ONNX <c>ModelProto</c>.</returns>
    /// <exception cref="NotSupportedException">The architecture has a layer type that cannot be exported.</exception>
    public static byte[] ToOnnx(this AutoencoderModel model, OnnxGraphKind graph) => Build(model, graph).ToByteArray();

    /// <summary>
    /// Writes the chosen graph of <paramref name="model"/> to <paramref name="path"/>, atomically: the file appears whole
    /// or not at all, and an existing file is replaced only once the new one is completely written.
    /// </summary>
    /// <param name="model">A trained model.</param>
    /// <param name="path">The file to create or replace; its directory must already exist (it is not created, so a
    /// mistyped path fails instead of creating stray directories).</param>
    /// <param name="graph">Encoder, decoder or the full autoencoder.</param>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">
    /// The path is under a regular file, is a directory, or cannot be written; the message names the path and no file
    /// is left behind.
    /// </exception>
    /// <exception cref="NotSupportedException">The architecture has a layer type that cannot be exported.</exception>
    public static void ExportOnnx(this AutoencoderModel model, string path, OnnxGraphKind graph)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        // Build before touching the disk: an unsupported layer must not leave anything behind.
        var onnx = Build(model, graph);
        AtomicFile.Write(path, stream => onnx.WriteTo(stream));
    }

    /// <summary>The graph of <paramref name="model"/> as every kind writes it, with its input scaling.</summary>
    internal static global::Onnx.ModelProto Build(AutoencoderModel model, OnnxGraphKind graph) => OnnxExporter.Build(model, new OnnxExportRequest(graph));
}

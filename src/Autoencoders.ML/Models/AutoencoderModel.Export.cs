using System.IO;
using Autoencoders.ML.IO;
using Autoencoders.ML.Onnx;
using Google.Protobuf;
using TorchSharp.PyBridge;

namespace Autoencoders.ML.Models;

// Export: ONNX graphs (opset 17, float32, symbolic batch dimension) and the weights as safetensors for PyTorch.
public sealed partial class AutoencoderModel
{
    /// <summary>Serializes the chosen graph of the model as an ONNX model.</summary>
    /// <param name="graph">Encoder, decoder or the full autoencoder.</param>
    /// <returns>The bytes of an ONNX <c>ModelProto</c>.</returns>
    /// <remarks>
    /// Inputs and outputs are named by <see cref="OnnxNames"/>. The model's metadata_props carry <c>kind</c>, <c>graph</c>,
    /// <c>input_size</c>, <c>latent_size</c>, <c>output_size</c>, <c>loss</c>, <c>input_scaling</c>,
    /// <c>output_activation</c> and <c>architecture</c> (the spec as JSON), and the checksums of <see cref="OnnxIntegrity"/>.
    /// </remarks>
    /// <exception cref="NotSupportedException">The architecture has a layer type that cannot be exported.</exception>
    public byte[] ToOnnx(OnnxGraphKind graph) => OnnxExporter.Build(this, new OnnxExportRequest(graph)).ToByteArray();

    /// <summary>
    /// Writes the chosen graph of the model to <paramref name="path"/>, atomically: the file appears whole or not at all,
    /// and an existing file is replaced only once the new one is completely written.
    /// </summary>
    /// <param name="path">The file to create or replace; its directory must already exist (it is not created, so a
    /// mistyped path fails instead of creating stray directories).</param>
    /// <param name="graph">Encoder, decoder or the full autoencoder.</param>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">
    /// The path is under a regular file, is a directory, or cannot be written; the message names the path and no file
    /// is left behind.
    /// </exception>
    /// <exception cref="NotSupportedException">The architecture has a layer type that cannot be exported.</exception>
    public void ExportOnnx(string path, OnnxGraphKind graph)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        // Build before touching the disk: an unsupported layer must not leave anything behind.
        var onnx = OnnxExporter.Build(this, new OnnxExportRequest(graph));
        AtomicFile.Write(path, stream => onnx.WriteTo(stream));
    }

    /// <summary>
    /// The weights as the bytes of a <c>.safetensors</c> file for PyTorch: the keys and shapes are the network's state
    /// dict (for example <c>encoder.layers.0.weight</c> (out, in), <c>encoder.layers.0.bias</c>), PyTorch's own names for
    /// the same module, so <c>model.load_state_dict(safetensors.torch.load_file(path))</c> restores it in Python
    /// (docs/pytorch.md). Input scaling is not a weight: it stays in <c>model.json</c> and inside the ONNX graphs.
    /// </summary>
    public byte[] ToSafetensors()
    {
        using var stream = new MemoryStream();
        using (var scope = NewDisposeScope())
        {
            var weights = new Dictionary<string, Tensor>();
            foreach (var (name, value) in Network.state_dict())
            {
                // Host memory, contiguous: what safetensors stores; the network may live elsewhere.
                weights[name] = value.detach().cpu().contiguous();
            }

            Safetensors.SaveStateDict(stream, weights, leaveOpen: true);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Writes the weights (<see cref="ToSafetensors"/>) to <paramref name="path"/> atomically (the file appears whole or
    /// not at all).
    /// </summary>
    /// <param name="path">The <c>.safetensors</c> file to create or replace; its directory must exist.</param>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    public void ExportSafetensors(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = ToSafetensors();
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}

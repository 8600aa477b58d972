using System.IO;
using Autoencoders.ML.Kinds.Variational;
using TorchSharp.PyBridge;

namespace Autoencoders.ML.IO;

/// <summary>
/// Exports a trained model's weights as a <c>.safetensors</c> file for PyTorch: the keys and shapes are the network's
/// state dict (for example <c>encoder.layers.0.weight</c> (out, in), <c>encoder.layers.0.bias</c>, a convolution's
/// <c>encoder.layers.0.conv.weight</c> and batch-norm <c>norm.running_mean</c>), which are PyTorch's own names for the
/// same module, so <c>model.load_state_dict(safetensors.torch.load_file(path))</c> restores it in Python. The module that
/// reads them is documented in <c>docs/pytorch.md</c> (it is built from <c>model.json</c>'s <c>architecture</c>).
/// </summary>
/// <remarks>
/// Written with TorchSharp.PyBridge's safetensors writer. Input scaling is not a weight: it stays in <c>model.json</c>
/// (and inside the ONNX graphs); apply it in Python as the document shows.
/// </remarks>
public static class SafetensorsExportExtensions
{
    /// <summary>The weights of <paramref name="model"/> as the bytes of a safetensors file.</summary>
    /// <param name="model">A trained model.</param>
    public static byte[] ToSafetensors(this AutoencoderModel model)
    {
        using var stream = new MemoryStream();
        Write(model, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// Writes the weights of <paramref name="model"/> to <paramref name="path"/> atomically (the file appears whole or
    /// not at all).
    /// </summary>
    /// <param name="model">A trained model.</param>
    /// <param name="path">The <c>.safetensors</c> file to create or replace; its directory must exist.</param>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    public static void ExportSafetensors(this AutoencoderModel model, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = model.ToSafetensors();
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    private static void Write(AutoencoderModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var weights = new Dictionary<string, Tensor>();
        foreach (var (name, value) in model.Network.state_dict())
        {
            // Host memory, contiguous: what safetensors stores; the network may live elsewhere.
            weights[name] = value.detach().cpu().contiguous();
        }

        Safetensors.SaveStateDict(stream, weights, leaveOpen: true);
    }
}

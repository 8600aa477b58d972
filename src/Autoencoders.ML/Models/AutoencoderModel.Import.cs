namespace Autoencoders.ML.Models;

// Import: a model trained outside this library (PyTorch, python/autoencoders_ml) from one of its model.json files.
public sealed partial class AutoencoderModel
{
    /// <summary>
    /// Loads a model whose weights were trained elsewhere: a folder holding <c>model.json</c> (architecture, options and
    /// history, as this library writes it) and <c>weights.safetensors</c> (the network's state dict under PyTorch's names,
    /// as <see cref="ToSafetensors"/> writes it and <c>python -m autoencoders_ml.train</c> saves it). The result is a full
    /// model: it encodes, exports ONNX graphs and saves like a trained one. <see cref="ExportSafetensors"/> followed by an
    /// import gives the same outputs to the bit.
    /// </summary>
    /// <remarks>
    /// Separate from <see cref="Load"/>, whose files carry checksums written by <see cref="Save"/>: an imported folder has
    /// none, so every weight is checked against the description instead.
    /// </remarks>
    /// <param name="folder">The folder with <c>model.json</c> and <c>weights.safetensors</c>.</param>
    /// <exception cref="System.IO.DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="System.IO.FileNotFoundException">One of the two files is missing.</exception>
    /// <exception cref="System.IO.InvalidDataException">
    /// model.json is invalid, or the safetensors file lacks a key of the network, holds a key the network does not have,
    /// or holds a key with another shape or dtype than the network's (float32 weights, int64 batch counts); the message
    /// names the key, what was found and what was expected.
    /// </exception>
    public static AutoencoderModel Import(string folder) => IO.SafetensorsImport.Import(folder);
}

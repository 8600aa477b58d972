using System.Text.Json.Serialization;
using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Layers;

/// <summary>One layer of an autoencoder, described independently of any framework.</summary>
/// <remarks>
/// Each layer type lives in one file: its sizes and validation, the TorchSharp module it builds
/// (<see cref="CreateModule"/>, <see cref="Forward"/>) and the ONNX nodes it writes for a trained module
/// (<see cref="Emit"/>), so the two forms are written side by side and a new layer type touches one file (plus its
/// JSON name below).
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(DenseLayerSpec), "dense")]
[JsonDerivedType(typeof(Conv2dLayerSpec), "conv2d")]
[JsonDerivedType(typeof(ConvTranspose2dLayerSpec), "convTranspose2d")]
[JsonDerivedType(typeof(UpsampleConv2dLayerSpec), "upsampleConv2d")]
[JsonDerivedType(typeof(CropOrPadLayerSpec), "cropOrPad")]
internal abstract record LayerSpec
{
    /// <summary>Number of values each row carries into the layer.</summary>
    public abstract int InputSize { get; }

    /// <summary>Number of values each row carries out of the layer.</summary>
    public abstract int OutputSize { get; }

    /// <summary>Activation applied to the layer's output.</summary>
    public abstract Activation Activation { get; }

    /// <summary>Number of trainable parameters (weights, biases and batch-norm scale and shift).</summary>
    [JsonIgnore]
    public abstract long ParameterCount { get; }

    /// <summary>The image shape the layer reads, or null for a layer on flat rows.</summary>
    internal virtual ImageShape? InputImage => null;

    /// <summary>The image shape the layer writes, or null for a layer on flat rows.</summary>
    internal virtual ImageShape? OutputImage => null;

    /// <summary>The layer's untrained TorchSharp module (its parameters, without the activation).</summary>
    internal abstract nn.Module<Tensor, Tensor> CreateModule();

    /// <summary>Runs the layer's module and the activation on (N, InputSize) rows, or on (N, C, H, W) images for an image layer.</summary>
    /// <param name="module">The module made by <see cref="CreateModule"/>.</param>
    /// <param name="x">The layer's input.</param>
    /// <param name="training">True in training mode (dropout is active).</param>
    internal virtual Tensor Forward(nn.Module<Tensor, Tensor> module, Tensor x, bool training) => Activations.Apply(module.forward(x), Activation);

    /// <summary>
    /// Writes the layer as ONNX nodes on the trained <paramref name="module"/>, activation included; initializers are
    /// named after the module's state-dict keys under <paramref name="prefix"/>.
    /// </summary>
    /// <param name="graph">The graph being written.</param>
    /// <param name="module">The trained module made by <see cref="CreateModule"/>.</param>
    /// <param name="prefix">The layer's state-dict prefix, e.g. <c>encoder.layers.0</c>.</param>
    /// <param name="input">The input tensor: [batch, InputSize], or [batch, C, H, W] for an image layer.</param>
    /// <param name="output">The tensor to produce, of the same form.</param>
    internal abstract void Emit(OnnxGraphBuilder graph, nn.Module<Tensor, Tensor> module, string prefix, string input, string output);

    /// <summary>The size (or image shape) on the input or output side, as <see cref="AutoencoderSpec.ToString"/> shows it.</summary>
    internal virtual string Describe(bool input) =>
        (input ? InputSize : OutputSize).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

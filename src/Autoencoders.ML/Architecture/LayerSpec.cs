using System.Text.Json.Serialization;

namespace Autoencoders.ML.Architecture;

/// <summary>One layer of an autoencoder, described independently of any framework.</summary>
/// <remarks>
/// The same list of layer specs builds the TorchSharp module and the ONNX graph, so the two cannot drift apart.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(DenseLayerSpec), "dense")]
[JsonDerivedType(typeof(Conv2dLayerSpec), "conv2d")]
[JsonDerivedType(typeof(ConvTranspose2dLayerSpec), "convTranspose2d")]
[JsonDerivedType(typeof(UpsampleConv2dLayerSpec), "upsampleConv2d")]
[JsonDerivedType(typeof(CropOrPadLayerSpec), "cropOrPad")]
public abstract record LayerSpec
{
    /// <summary>Number of values each row carries into the layer.</summary>
    public abstract int InputSize { get; }

    /// <summary>Number of values each row carries out of the layer.</summary>
    public abstract int OutputSize { get; }

    /// <summary>Activation applied to the layer's output.</summary>
    public abstract Activation Activation { get; }
}

/// <summary>A fully connected layer y = activation(x·Wᵀ + b), optionally followed by dropout during training.</summary>
/// <param name="In">Input width.</param>
/// <param name="Out">Output width.</param>
/// <param name="Act">Activation after the affine map.</param>
/// <param name="Dropout">Dropout probability applied after the activation while training (0 = none).</param>
public sealed record DenseLayerSpec(int In, int Out, Activation Act, float Dropout = 0f) : LayerSpec
{
    /// <inheritdoc />
    [JsonIgnore]
    public override int InputSize => In;

    /// <inheritdoc />
    [JsonIgnore]
    public override int OutputSize => Out;

    /// <inheritdoc />
    [JsonIgnore]
    public override Activation Activation => Act;

    /// <summary>Number of trainable parameters (weights and biases).</summary>
    [JsonIgnore]
    public long ParameterCount => ((long)In * Out) + Out;
}

using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Autoencoders.ML.Layers;

namespace Autoencoders.ML.Architecture;

/// <summary>
/// The complete architecture of an autoencoder: the encoder layers (input → latent) and the decoder layers
/// (latent → reconstruction). The decoder's last layer has no activation in the spec; <see cref="OutputActivation"/>
/// is applied on top of it, so a loss can work on the pre-activation values (logits).
/// </summary>
public sealed record AutoencoderSpec
{
    /// <summary>Creates a spec and checks that consecutive layers fit together.</summary>
    /// <param name="encoder">Encoder layers; the last one outputs the latent code.</param>
    /// <param name="decoder">Decoder layers; the first one takes the latent code.</param>
    /// <param name="outputActivation">Activation applied to the decoder's last layer.</param>
    [JsonConstructor]
    internal AutoencoderSpec(IReadOnlyList<LayerSpec> encoder, IReadOnlyList<LayerSpec> decoder, OutputActivation outputActivation)
    {
        Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        Decoder = decoder ?? throw new ArgumentNullException(nameof(decoder));
        OutputActivation = outputActivation;
        CheckChain(encoder, nameof(encoder));
        CheckChain(decoder, nameof(decoder));
        if (encoder[^1].OutputSize != decoder[0].InputSize)
        {
            throw new ArgumentException(
                $"The encoder outputs {encoder[^1].OutputSize} values but the decoder's first layer takes {decoder[0].InputSize}.",
                nameof(decoder));
        }
    }

    /// <summary>Encoder layers, input first.</summary>
    [JsonInclude]
    internal IReadOnlyList<LayerSpec> Encoder { get; }

    /// <summary>Decoder layers, latent first.</summary>
    [JsonInclude]
    internal IReadOnlyList<LayerSpec> Decoder { get; }

    /// <summary>Activation applied to the decoder's output.</summary>
    public OutputActivation OutputActivation { get; }

    /// <summary>Size of an input row.</summary>
    [JsonIgnore]
    public int InputSize => Encoder[0].InputSize;

    /// <summary>Size of the latent code.</summary>
    [JsonIgnore]
    public int LatentSize => Encoder[^1].OutputSize;

    /// <summary>Size of a reconstructed row (equal to <see cref="InputSize"/> unless the model maps to another target).</summary>
    [JsonIgnore]
    public int OutputSize => Decoder[^1].OutputSize;

    /// <summary>Number of trainable parameters.</summary>
    [JsonIgnore]
    public long ParameterCount => Encoder.Concat(Decoder).Sum(l => l.ParameterCount);

    /// <summary>
    /// The shape of the images the model reads (the first image layer's input, or the last one's output when only the
    /// decoder has image layers), or null for a model without image layers.
    /// </summary>
    [JsonIgnore]
    internal ImageShape? Image =>
        Encoder.Select(l => l.InputImage).FirstOrDefault(s => s is not null) ?? Decoder.Select(l => l.OutputImage).LastOrDefault(s => s is not null);

    /// <summary>
    /// A short human-readable form such as <c>784-512-128-32-128-512-784</c>; image layers show their shape, as in
    /// <c>1×28×28-32×14×14-64×7×7-32-64×7×7-32×14×14-1×28×28</c>.
    /// </summary>
    public override string ToString() =>
        string.Join("-", new[] { Encoder[0].Describe(input: true) }.Concat(Encoder.Concat(Decoder).Select(l => l.Describe(input: false))));

    /// <summary>Serializes the spec to indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a spec written by <see cref="ToJson"/>.</summary>
    public static AutoencoderSpec FromJson(string json) =>
        JsonSerializer.Deserialize<AutoencoderSpec>(json, JsonOptions)
        ?? throw new FormatException("The architecture JSON is empty.");

    /// <summary>JSON settings shared by everything this library writes.</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        // The options' "kind" discriminator comes from the registry of model kinds, the one list of them.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { ModelKinds.DescribeOptions } },
    };

    private static void CheckChain(IReadOnlyList<LayerSpec> layers, string name)
    {
        if (layers.Count == 0)
        {
            throw new ArgumentException($"The {name} needs at least one layer.", name);
        }

        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i].InputSize <= 0 || layers[i].OutputSize <= 0)
            {
                throw new ArgumentException(
                    $"Layer {i} of the {name} has sizes {layers[i].InputSize}→{layers[i].OutputSize}; sizes must be positive.", name);
            }

            if (i > 0 && layers[i - 1].OutputSize != layers[i].InputSize)
            {
                throw new ArgumentException(
                    $"Layer {i - 1} of the {name} outputs {layers[i - 1].OutputSize} values but layer {i} takes {layers[i].InputSize}.", name);
            }
        }
    }
}

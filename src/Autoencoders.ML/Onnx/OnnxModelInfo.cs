namespace Autoencoders.ML.Onnx;

/// <summary>
/// What a model kind says about itself in an exported graph's metadata_props. The exporter adds the sizes, the graph
/// kind, the output activation and the architecture from the spec; every model kind passes its own values here.
/// </summary>
/// <param name="Kind">The model family, for example <c>dense</c>.</param>
/// <param name="Loss">The name of the reconstruction loss the model was trained with.</param>
/// <param name="InputScaling">How inputs must be scaled before they enter the graph (<c>none</c> when they are used as is).</param>
internal sealed record OnnxModelInfo(string Kind, string Loss, string InputScaling);
